import io
import os
import uuid

import segno
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import public_view, role_required
from phongdich.audit.labels import citizen_read_rows
from phongdich.audit.models import AuditEvent
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.facilities.models import Facility
from phongdich.geo.models import AdminUnit
from phongdich.lib import confirm, imports
from phongdich.lib.bounds import pk_or_none
from phongdich.lib.files import file_response, html_to_pdf, pdf_response, xlsx_response
from phongdich.lib.ratelimit import allow
from phongdich.lib.urls import absolute_url
from phongdich.lib.xlsx import build_workbook
from phongdich.quarantine.models import Quarantine

from . import rules, selectors, services
from .forms import (
    CitizenReportForm,
    DeclarationForm,
    EpidemicAreaForm,
    ForecastImportForm,
    LookupForm,
    PassageForm,
    PharmacyForm,
    PharmacyReportForm,
    QuarantineCheckForm,
    TransitForm,
    declaration_initial,
)
from .models import (
    Checkpoint,
    Decision,
    DecisionRuleRow,
    DeclarationLink,
    EpidemicArea,
    FollowUp,
    Handover,
    HomeQuarantine,
    PharmacyLink,
    QuarantineLink,
)
from .rapid_tests import follow_up_test_order

OFFICER = (Role.CHECKPOINT_OFFICER, Role.PROVINCE_ADMIN)
COMMUNE = (Role.COMMUNE_HEALTH_WORKER, Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)
OVERSIGHT = (
    Role.HEALTH_OFFICER,
    Role.PROVINCE_ADMIN,
    Role.CHECKPOINT_OFFICER,
    Role.COMMITTEE_MEMBER,
)
FORECASTS = (*COMMUNE, Role.CHECKPOINT_OFFICER)
REF_SALT = "checkpoints.officer.ref"


def _rate_limit() -> int:
    # Public POSTs per address per 10 minutes; a benchmark on loopback raises it by env.
    return int(
        getattr(settings, "CHECKPOINTS_PUBLIC_RATE_LIMIT", 0)
        or os.environ.get("CHECKPOINTS_PUBLIC_RATE_LIMIT", 30)
    )


def throttled(request, bucket: str) -> bool:
    """True when this address has sent too many public POSTs to `bucket` recently."""
    return not allow(request, f"checkpoints.{bucket}", limit=_rate_limit(), window_seconds=600)


def _too_many(request):
    return render(request, "checkpoints/throttled.html", status=429)


def _communes():
    province = services.home_province()
    if province is None:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(
        path__startswith=province.path, kind=AdminUnit.Kind.COMMUNE
    ).select_related("parent")


def _qr(data: str):
    return segno.make(data, error="m")


# --- traveller ----------------------------------------------------------------------------


@public_view
def declare(request):
    previous = None
    link = DeclarationLink.resolve(request.GET.get("from", "")) if request.GET.get("from") else None
    if link is not None:
        previous = link.declaration
    initial = declaration_initial(previous) if previous else {"arrival_date": timezone.localdate()}
    checkpoint = Checkpoint.objects.filter(
        pk=request.GET.get("checkpoint") or 0, active=True
    ).first()
    if checkpoint:
        initial["checkpoint"] = checkpoint.pk
    form = DeclarationForm(request.POST or None, initial=initial, province=services.home_province())
    if request.method == "POST":
        if throttled(request, "declare"):
            return _too_many(request)
        if form.is_valid():
            try:
                _declaration, raw = services.declaration_submit(
                    data=form.cleaned_data,
                    previous=previous,
                    submission=form.submission(request.user),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("checkpoints:me", token=raw)
    return render(
        request,
        "checkpoints/declare.html",
        {"form": form, "checkpoint": checkpoint, "previous": previous},
    )


def _link_or_404(raw: str) -> DeclarationLink:
    link = DeclarationLink.resolve(raw)
    if link is None:
        raise Http404
    return link


@public_view
@never_cache
def me(request, token: str):
    link = _link_or_404(token)
    declaration = link.declaration
    qr = _qr(services.qr_payload(declaration))
    return render(
        request,
        "checkpoints/me.html",
        {
            "declaration": declaration,
            "token": token,
            "qr_svg": qr.svg_inline(scale=6, dark="#000"),
            "reads": citizen_read_rows(link.person),
        },
    )


@public_view
@never_cache
def me_qr(request, token: str, fmt: str):
    # The URL's <str:fmt> matches anything but "/": only the two formats offered exist.
    if fmt not in ("svg", "png"):
        raise Http404
    link = _link_or_404(token)
    qr = _qr(services.qr_payload(link.declaration))
    buffer = io.BytesIO()
    if fmt == "svg":
        qr.save(buffer, kind="svg", scale=8)
        content_type = "image/svg+xml"
    else:
        qr.save(buffer, kind="png", scale=10, border=4)
        content_type = "image/png"
    return file_response(buffer.getvalue(), f"to-khai-{link.declaration.code}.{fmt}", content_type)


# --- checkpoint officer -------------------------------------------------------------------


def _active_zones_at(user, unit) -> list:
    """Active lockdown zones of the traveller's destination commune (the zones app's read,
    which decides who may see it); nothing when the app is not installed."""
    if unit is None or not apps.is_installed("phongdich.zones"):
        return []
    from phongdich.zones.selectors import active_zones_at

    return active_zones_at(user, unit)


def _decide_context(request, declaration, checkpoints, form=None, selected_checkpoint=None):
    assessment = services.assess(declaration)
    if form is None:
        form = PassageForm(
            checkpoints=checkpoints,
            initial={
                "declaration": 0,
                "decision": assessment.suggestion.decision,
                "checkpoint": selected_checkpoint or declaration.checkpoint_id,
                "idempotency_key": uuid.uuid4().hex,
                "expected_hours": 3,
            },
        )
    return {
        "declaration": declaration,
        "destination_zones": _active_zones_at(request.user, declaration.destination_commune),
        "symptom_labels": [services.SYMPTOMS.get(s, s) for s in declaration.symptoms],
        "exposure_labels": [services.EXPOSURES.get(s, s) for s in declaration.exposures],
        "suggestion_label": Decision(assessment.suggestion.decision).label,
        "assessment": assessment,
        "form": form,
        "ref": signing.dumps(declaration.pk, salt=REF_SALT),
        "facilities": Facility.objects.filter(kind=Facility.Kind.QUARANTINE_SITE, is_active=True),
        "vaccination": selectors.vaccination_summary(request.user, declaration.person),
    }


@role_required(*OFFICER)
def officer(request):
    checkpoints = selectors.checkpoints_for(request.user)
    form = LookupForm(request.POST or None, request.FILES or None)
    selected = request.POST.get("checkpoint") or request.GET.get("checkpoint") or ""
    if request.method == "POST" and form.is_valid():
        declaration = None
        data = form.cleaned_data
        if data["qr"]:
            declaration = services.declaration_from_qr(data["qr"])
        elif data["photo"]:
            from .qrread import decode_image

            text = decode_image(data["photo"].read())
            declaration = services.declaration_from_qr(text) if text else None
        elif data["code"]:
            declaration = services.declaration_by_code(data["code"])
        if declaration is None:
            messages.error(request, _("Không tìm thấy tờ khai. Kiểm tra lại mã hoặc nhập tay."))
        else:
            audit_read(actor=request.user, target=declaration, action="checkpoints.lookup")
            context = _decide_context(
                request, declaration, checkpoints, selected_checkpoint=selected
            )
            return render(request, "checkpoints/decide.html", context)
    return render(
        request,
        "checkpoints/officer.html",
        {"form": form, "checkpoints": checkpoints, "selected": selected},
    )


@role_required(*OFFICER)
def officer_entry(request):
    """Declaration typed by the officer for a traveller without a phone."""
    checkpoints = selectors.checkpoints_for(request.user)
    form = DeclarationForm(
        request.POST or None,
        initial={"arrival_date": timezone.localdate()},
        province=services.home_province(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            declaration, _raw = services.declaration_submit(
                by=request.user,
                data=form.cleaned_data,
                submission=form.submission(request.user),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            context = _decide_context(request, declaration, checkpoints)
            context["new_code"] = declaration.code
            return render(request, "checkpoints/decide.html", context)
    return render(request, "checkpoints/officer_entry.html", {"form": form})


def passage_echo(passage, declaration) -> str:
    """What the officer sees once a decision is stored: who, what, when (the stored time, so
    a passage re-sent after a dropped connection echoes when it was first recorded)."""
    return _("Đã ghi: %(name)s — %(decision)s — %(at)s") % {
        "name": declaration.full_name,
        "decision": passage.get_decision_display(),
        "at": timezone.localtime(passage.at).strftime("%H:%M %d/%m/%Y"),
    }


@require_POST
@role_required(*OFFICER)
def passage_create(request):
    """Record a passage. Answers JSON to the page's script (which retries with the same key
    after a dropped connection) and redirects a plain form post."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    checkpoints = selectors.checkpoints_for(request.user)
    try:
        pk = signing.loads(request.POST.get("ref", ""), salt=REF_SALT, max_age=12 * 3600)
    except signing.BadSignature:
        raise Http404 from None
    declaration = services.Declaration.objects.select_related(
        "destination_commune", "origin", "person"
    ).get(pk=pk)
    post = request.POST.copy()
    post["declaration"] = pk
    form = PassageForm(post, checkpoints=checkpoints)
    if form.is_valid():
        data = form.cleaned_data
        facility = Facility.objects.filter(
            pk=pk_or_none(request.POST.get("facility")), kind=Facility.Kind.QUARANTINE_SITE
        ).first()
        hours = data.get("expected_hours")
        try:
            passage, created = services.passage_record(
                by=request.user,
                declaration=declaration,
                checkpoint=data["checkpoint"],
                decision=data["decision"],
                idempotency_key=data["idempotency_key"],
                temperature=data["temperature"],
                note=data["note"],
                direction=data["direction"],
                facility=facility,
                exit_checkpoint=data["exit_checkpoint"],
                expected_at=timezone.now() + timezone.timedelta(hours=hours)
                if hours is not None
                else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            echo = passage_echo(passage, declaration)
            if wants_json:
                return JsonResponse(
                    {
                        "id": passage.pk,
                        "created": created,
                        "decision": passage.decision,
                        "echo": echo,
                    },
                    status=201 if created else 200,
                )
            messages.success(request, echo)
            return redirect(f"{reverse('checkpoints:officer')}?checkpoint={passage.checkpoint_id}")
    if wants_json:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    context = _decide_context(request, declaration, checkpoints, form=form)
    return render(request, "checkpoints/decide.html", context, status=400)


@role_required(*OFFICER, Role.HEALTH_OFFICER)
def checkpoint_list(request):
    return render(
        request,
        "checkpoints/checkpoint_list.html",
        {"checkpoints": selectors.checkpoints_for(request.user)},
    )


def _pdf(html: str, filename: str) -> HttpResponse:
    response = pdf_response(html_to_pdf(html), filename)
    return response


@role_required(*OFFICER, Role.HEALTH_OFFICER)
def checkpoint_poster(request, pk: int):
    checkpoint = selectors.checkpoints_for(request.user).filter(pk=pk).first()
    if checkpoint is None:
        raise Http404
    url = absolute_url(f"{reverse('checkpoints:declare')}?checkpoint={checkpoint.pk}", request)
    html = render_to_string(
        "checkpoints/pdf/poster.html",
        {"checkpoint": checkpoint, "url": url, "qr": _qr(url).png_data_uri(scale=12, border=2)},
    )
    return _pdf(html, f"chot-{checkpoint.pk}.pdf")


# --- commune: arrivals, home quarantine ---------------------------------------------------


@role_required(*COMMUNE)
def arrivals(request):
    handovers = selectors.handovers_visible_to(request.user)
    pending = list(handovers.filter(status=Handover.Status.PENDING)[:300])
    recent = list(
        handovers.exclude(status=Handover.Status.PENDING)
        .filter(confirmed_at__gte=timezone.now() - timezone.timedelta(days=3))
        .order_by("-confirmed_at")[:100]
    )
    forecasts = list(
        selectors.forecasts_visible_to(request.user).filter(
            expected_date__gte=timezone.localdate() - timezone.timedelta(days=1),
            expected_date__lte=timezone.localdate() + timezone.timedelta(days=7),
        )[:200]
    )
    # Each arrived hand-over links to the quarantine record it opened (one query).
    opened = selectors.handover_quarantine_ids(recent)
    for handover in recent:
        handover.quarantine_id = opened.get(handover.pk)
    today = timezone.localdate()
    audit_read_many(
        actor=request.user, action="checkpoints.arrivals", records=pending + recent + forecasts
    )
    policies = services.quarantine_policies()
    return render(
        request,
        "checkpoints/arrivals.html",
        {
            "pending": pending,
            "recent": recent,
            "forecasts": forecasts,
            "policies": policies,
            "current_policy": rules.policy_on(today, policies),
        },
    )


@require_POST
@role_required(*COMMUNE)
def handover_action(request, pk: int, action: str):
    handover = selectors.handover_get(request.user, pk)
    try:
        if action == "arrived":
            services.handover_confirm(by=request.user, handover=handover)
            messages.success(request, _("Đã xác nhận người về đến địa phương."))
        elif action == "no_show":
            confirm.require_confirmed(request)
            services.handover_no_show(by=request.user, handover=handover)
            messages.warning(request, _("Đã báo không đến; đã báo Trung tâm Y tế huyện."))
        elif action == "quarantine":
            quarantine = services.quarantine_start(
                by=request.user, handover=handover, policy_key=request.POST.get("policy", "")
            )
            messages.success(request, _("Đã lập hồ sơ cách ly/theo dõi tại nhà."))
            return redirect("quarantine:detail", pk=quarantine.pk)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("checkpoints:arrivals")


# --- home quarantine: the quarantine app's record ------------------------------------------
# The hand-over opens the one quarantine record (quarantine.services); these addresses, on
# printed papers, bookmarks and the citizens' personal links, lead to it.


@role_required(*COMMUNE)
def quarantines(request):
    return redirect("quarantine:list")


def _legacy_target(request, pk: int):
    try:
        return selectors.legacy_quarantine_target(request.user, pk)
    except (HomeQuarantine.DoesNotExist, Quarantine.DoesNotExist):
        raise Http404 from None


@role_required(*COMMUNE)
def quarantine_detail(request, pk: int):
    return redirect("quarantine:detail", pk=_legacy_target(request, pk).pk)


@role_required(*COMMUNE)
def quarantine_document(request, pk: int, kind: str):
    if kind not in ("commitment", "door-sign"):
        raise Http404
    return redirect("quarantine:document", pk=_legacy_target(request, pk).pk, kind=kind)


@public_view
@never_cache
def self_check(request, token: str):
    """A personal link minted before the move: the check goes onto the one record (through
    the quarantine app's services), nothing onto the old home quarantine."""
    from phongdich.quarantine import services as quarantine_services

    link = QuarantineLink.resolve(token)
    record = selectors.legacy_link_record(link.quarantine) if link is not None else None
    if record is None or record.status != "active":
        raise Http404
    form = QuarantineCheckForm(request.POST or None)
    done = False
    if request.method == "POST":
        if throttled(request, "selfcheck"):
            return _too_many(request)
        if form.is_valid():
            try:
                quarantine_services.quarantine_check_record(
                    quarantine=record,
                    submission=form.submission(request.user),
                    **form.answers(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                done = True
    return render(request, "checkpoints/self_check.html", {"form": form, "done": done, "q": record})


# --- transit ----------------------------------------------------------------------------


@role_required(*OFFICER, Role.HEALTH_OFFICER)
def transit(request):
    checkpoints = selectors.checkpoints_for(request.user)
    form = TransitForm(request.POST or None, checkpoints=checkpoints)
    if request.method == "POST":
        if request.POST.get("exit"):
            escort = (
                selectors.escorts_visible_to(request.user)
                .filter(pk=pk_or_none(request.POST["exit"]))
                .first()
            )
            if escort is None:
                raise Http404
            services.transit_exit(by=request.user, escort=escort)
            return redirect("checkpoints:transit")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.transit_start(
                    by=request.user,
                    vehicle_number=data["vehicle_number"],
                    people_count=data["people_count"],
                    entry_checkpoint=data["entry_checkpoint"],
                    exit_checkpoint=data["exit_checkpoint"],
                    hours=data["hours"],
                    submission=form.submission(request.user),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("checkpoints:transit")
    escorts = list(selectors.escorts_visible_to(request.user).filter(exited_at__isnull=True)[:200])
    return render(
        request,
        "checkpoints/transit.html",
        {"form": form, "escorts": escorts, "now": timezone.now()},
    )


# --- forecasts, reports, follow-ups -------------------------------------------------------


@role_required(*FORECASTS)
def forecasts(request):
    form = ForecastImportForm(request.POST or None, request.FILES or None)
    recent = list(selectors.forecast_imports_of(request.user)[:5])
    last = recent[0] if recent else None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.forecast_import(
                by=request.user,
                upload=upload,
                source_association=form.cleaned_data["source_association"],
                keep_good_rows=form.cleaned_data["keep_good_rows"],
                submission=form.submission(request.user),
            )
        except imports.FileRefused as exc:
            form.add_error("file", exc.messages[0])
            last = exc.batch  # None when the file was refused before any row was read
        else:
            messages.success(
                request,
                _("Đã nhập %(n)s/%(t)s dòng.") % {"n": batch.rows_imported, "t": batch.rows_total},
            )
            return redirect("checkpoints:forecasts")
    rows = list(
        selectors.forecasts_visible_to(request.user).filter(
            expected_date__gte=timezone.localdate() - timezone.timedelta(days=3)
        )[:300]
    )
    audit_read_many(actor=request.user, action="checkpoints.forecasts", records=rows)
    return render(
        request,
        "checkpoints/forecasts.html",
        {
            "form": form,
            "last": last,
            "last_report": imports.ErrorReport(entries=last.errors, total=last.errors_total)
            if last
            else None,
            "last_download": reverse("checkpoints:forecast_errors", args=[last.pk])
            if last and last.errors
            else "",
            "rows": rows,
            "header": services.FORECAST_HEADER,
            "max_rows": services.FORECAST_MAX_ROWS,
        },
    )


@role_required(*FORECASTS)
def forecast_errors(request, pk: int):
    """The stored error report of one of the user's imports, as a spreadsheet."""
    batch = selectors.forecast_imports_of(request.user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    report = imports.ErrorReport(entries=batch.errors, total=batch.errors_total)
    return xlsx_response(report.workbook(), f"loi-nhap-danh-sach-{batch.pk}.xlsx")


@public_view
def citizen_report(request):
    form = CitizenReportForm(request.POST or None, communes=_communes())
    if request.method == "POST":
        if throttled(request, "report"):
            return _too_many(request)
        if form.is_valid() and not form.cleaned_data["website"]:
            data = form.answers()
            data.pop("website")
            try:
                services.citizen_report_submit(submission=form.submission(request.user), **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return render(request, "checkpoints/thanks.html")
    return render(request, "checkpoints/citizen_report.html", {"form": form})


@public_view
def pharmacy_register(request):
    form = PharmacyForm(request.POST or None, communes=_communes())
    if request.method == "POST":
        if throttled(request, "pharmacy"):
            return _too_many(request)
        if form.is_valid() and not form.cleaned_data["website"]:
            data = form.answers()
            data.pop("website")
            try:
                _pharmacy, raw = services.pharmacy_register(
                    submission=form.submission(request.user), **data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("checkpoints:pharmacy_report", token=raw)
    return render(request, "checkpoints/pharmacy_register.html", {"form": form})


@public_view
@never_cache
def pharmacy_report(request, token: str):
    link = PharmacyLink.resolve(token)
    if link is None:
        raise Http404
    form = PharmacyReportForm(
        request.POST or None, communes=_communes(), initial={"commune": link.pharmacy.commune_id}
    )
    sent = False
    if request.method == "POST":
        if throttled(request, "pharmacy_report"):
            return _too_many(request)
        if form.is_valid():
            try:
                services.pharmacy_report_submit(
                    pharmacy=link.pharmacy,
                    submission=form.submission(request.user),
                    **form.answers(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                sent = True
                form = PharmacyReportForm(
                    communes=_communes(), initial={"commune": link.pharmacy.commune_id}
                )
    return render(
        request,
        "checkpoints/pharmacy_report.html",
        {
            "form": form,
            "pharmacy": link.pharmacy,
            "sent": sent,
            "link": absolute_url(request.get_full_path(), request),
        },
    )


@role_required(*COMMUNE)
def follow_ups(request):
    if request.method == "POST":
        follow_up = (
            selectors.follow_ups_visible_to(request.user)
            .filter(pk=pk_or_none(request.POST.get("id")))
            .first()
        )
        if follow_up is None:
            raise Http404
        try:
            if request.POST.get("action") == "test_order":
                if not apps.is_installed("phongdich.labtests"):
                    raise Http404
                _order, created = follow_up_test_order(by=request.user, follow_up=follow_up)
                messages.success(
                    request,
                    _("Đã tạo lệnh test nhanh cho trạm y tế xã nơi người này sống.")
                    if created
                    else _("Người này đã có lệnh test nhanh đang chờ."),
                )
            else:
                services.follow_up_done(
                    by=request.user, follow_up=follow_up, outcome=request.POST.get("outcome", "")
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("checkpoints:follow_ups")
    items = list(
        selectors.follow_ups_visible_to(request.user).filter(status=FollowUp.Status.OPEN)[:300]
    )
    audit_read_many(actor=request.user, action="checkpoints.follow_ups", records=items)
    return render(
        request,
        "checkpoints/follow_ups.html",
        {"items": items, "can_order_tests": apps.is_installed("phongdich.labtests")},
    )


# --- oversight ----------------------------------------------------------------------------


@role_required(*OVERSIGHT)
def oversight(request):
    data = selectors.oversight(request.user)
    audit_read_many(
        actor=request.user, action="checkpoints.oversight", records=data["ending_today"]
    )
    labels = dict(Decision.choices)
    for row in data["by_decision"]:
        row["label"] = labels.get(row["decision"], row["decision"])
    return render(request, "checkpoints/oversight.html", data)


@role_required(*OVERSIGHT)
def oversight_export(request):
    data = selectors.oversight(request.user)
    rows = [
        ("theo ngày", r["checkpoint__name"], r["day"].strftime("%d/%m/%Y"), r["n"])
        for r in data["by_day"]
    ]
    rows += [
        ("theo giờ (24h)", r["checkpoint__name"], f"{r['hour']:02d}h", r["n"])
        for r in data["by_hour"]
    ]
    rows += [
        ("theo nơi đi", r["declaration__origin__name"] or r["declaration__origin_text"], "", r["n"])
        for r in data["by_origin"]
    ]
    rows += [("theo quyết định", r["decision"], "", r["n"]) for r in data["by_decision"]]
    rows += [
        ("bàn giao chờ / không đến", r["commune__name"], f"{r['pending']} / {r['no_show']}", "")
        for r in data["handovers"]
    ]
    content = build_workbook("Giam sat chot", ["nhóm", "chốt / nơi", "ngày / giờ", "số lượt"], rows)
    response = xlsx_response(content, "giam-sat-chot.xlsx")
    return response


@role_required(*OVERSIGHT, *COMMUNE)
def rules_page(request):
    """The rules in force, each with its source and whether it is confirmed (RULES.md)."""
    rows = {row.key: row for row in DecisionRuleRow.objects.filter(active=True)}
    labels = dict(Decision.choices)
    table = [
        {"rule": rule, "label": labels.get(rule.decision, rule.decision), "row": rows.get(rule.key)}
        for rule in services.decision_rules()
    ]
    policies = services.quarantine_policies()
    return render(
        request,
        "checkpoints/rules.html",
        {
            "policies": policies,
            "current": rules.policy_on(timezone.localdate(), policies),
            "table": table,
            "edited": bool(rows),
            "fever": rules.FEVER_CELSIUS,
        },
    )


AREA_EDITORS = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)


@role_required(*AREA_EDITORS, Role.CHECKPOINT_OFFICER)
def areas(request):
    """Listed epidemic areas: organisational data (no personal data), province-wide."""
    can_edit = request.user.has_role(*AREA_EDITORS) and request.user.jurisdiction is not None
    form = EpidemicAreaForm(request.POST or None)
    if request.method == "POST":
        if not can_edit or request.user.jurisdiction.kind != AdminUnit.Kind.PROVINCE:
            raise PermissionDenied
        if request.POST.get("end"):
            area = EpidemicArea.objects.filter(pk=pk_or_none(request.POST["end"])).first()
            if area is None:
                raise Http404
            services.epidemic_area_end(by=request.user, area=area, on=timezone.localdate())
            return redirect("checkpoints:areas")
        if form.is_valid():
            try:
                services.epidemic_area_add(
                    by=request.user, submission=form.submission(request.user), **form.answers()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("checkpoints:areas")
    today = timezone.localdate()
    current = (
        EpidemicArea.objects.filter(valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .select_related("unit__parent")
    )
    # Who changed the list last and when: the page says who keeps it, so a checkpoint that
    # finds it stale knows whom to call.
    last_change = (
        AuditEvent.objects.filter(
            action__in=["checkpoints.epidemic_area_add", "checkpoints.epidemic_area_end"]
        )
        .select_related("actor")
        .order_by("-at")
        .first()
    )
    return render(
        request,
        "checkpoints/areas.html",
        {
            "areas": current,
            "last_change": last_change,
            "form": form,
            "can_edit": can_edit and request.user.jurisdiction.kind == AdminUnit.Kind.PROVINCE,
        },
    )
