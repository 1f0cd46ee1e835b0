"""F0 pages: thin views (parse → permission → service/selector → render)."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import may_act_on_unit, public_view, role_required
from phongdich.audit.labels import citizen_read_rows
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.facilities.models import BedType
from phongdich.facilities.selectors import bed_cells, transfer_choices, transfer_targets
from phongdich.geo.selectors import communes_within, home_communes
from phongdich.lib import confirm, ratelimit
from phongdich.lib.files import pdf_response, xlsx_response
from phongdich.lib.imports import ErrorReport, FileRefused
from phongdich.lib.link_sends import link_send_flash, shown_link_sign, shown_link_unsign
from phongdich.lib.pagination import keyset_page
from phongdich.lib.references import reference_decoy, reference_for
from phongdich.lib.tokens import hash_token
from phongdich.lib.urls import absolute_url

from . import imports, pdf, rules, selectors, services
from .forms import (
    SYMPTOM_LABELS,
    AlertActionForm,
    AlertResolveForm,
    CaseRegisterForm,
    CheckForm,
    DeathForm,
    DossierForm,
    ImportForm,
    LinkSendForm,
    MedicineBagForm,
    MobileVisitForm,
    OverrideForm,
    ReleaseForm,
    ReportForm,
    SelfDeclareForm,
    TransferForm,
    TransferOverrideForm,
    VerifyForm,
)
from .models import (
    Alert,
    CaseLink,
    CaseStatus,
    DailyReport,
    Death,
    SeverityLevel,
    TreatmentPlace,
)
from .permissions import CASE_ROLES, REPORT_EDIT_ABOVE_ROLES, REPORT_EDIT_ROLES, REPORT_ROLES
from .queue_html import queue_rows_html

QUEUE_PAGE_SIZE = 100
IMPORT_ERRORS_KEY = "cases_import_errors"


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- care-team queue ----------------------------------------------------------------------


def _queue_context(request) -> dict:
    try:
        commune_id = int(request.GET.get("commune") or 0)
    except ValueError:
        commune_id = 0
    show = request.GET.get("show", "")
    show = show if show in selectors.QUEUE_SHOWS else ""
    queue = selectors.care_queue(request.user, commune_id=commune_id or None, show=show)
    # Keyset pages in the queue's own order: a deep page seeks to its place instead of an
    # OFFSET over the province's F0, and the count stops at the cap ("hơn 10.000").
    page = keyset_page(
        queue,
        keys=selectors.QUEUE_KEYS,
        next=request.GET.get("next"),
        prev=request.GET.get("prev"),
        size=QUEUE_PAGE_SIZE,
    )
    selectors.attach_open_alerts(page.items)
    now = timezone.now()
    filters = f"commune={commune_id or ''}&show={show}"
    # The same page again (htmx refresh, an alert acknowledged from a row): keep its place.
    here = f"{filters}&{page.here}" if page.here else filters
    return {
        "page": page,
        "commune_id": commune_id,
        "show": show,
        "now": now,
        "filters": filters,
        "here": here,
        "rows_html": queue_rows_html(
            page.items,
            base=reverse("cases:queue"),
            query=here,
            csrf_token=get_token(request),
            now=now,
        ),
    }


@role_required(*CASE_ROLES)
def queue(request):
    context = _queue_context(request)
    if not request.htmx:
        context["communes"] = (
            communes_within(request.user.jurisdiction)
            if request.user.jurisdiction and request.user.jurisdiction.kind != "commune"
            else []
        )
        context["pending"] = list(selectors.pending_cases(request.user)[:50])
        context["to_transfer"] = list(selectors.transfers_to_do(request.user)[:100])
    audit_read_many(
        actor=request.user,
        action="cases.queue",
        records=[
            *context["page"].items,
            *context.get("pending", ()),
            *context.get("to_transfer", ()),
        ],
    )
    if request.htmx:
        return render(request, "cases/_queue_rows.html", context)
    return render(request, "cases/queue.html", context)


# --- registration -----------------------------------------------------------------------


@role_required(*CASE_ROLES)
def register(request):
    communes = communes_within(request.user.jurisdiction)
    form = CaseRegisterForm(
        request.POST or None, communes=communes, facilities=transfer_targets(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence = [
            rules.LabEvidence(
                data["test_kind"],
                True,
                data["tested_at"],
                data["supervised"],
            )
        ]
        if data["second_rat_at"]:
            evidence.append(rules.LabEvidence("rat", True, data["second_rat_at"], True))
        try:
            case, created = services.case_register(
                by=request.user,
                person_data=services.PersonData(
                    full_name=data["full_name"],
                    birth_year=data["birth_year"],
                    birth_date=data["birth_date"],
                    sex=data["sex"],
                    phone=data["phone"],
                    id_number=data["id_number"],
                    address=data["address"],
                ),
                commune=data["commune"],
                evidence=evidence,
                is_f1=data["is_f1"],
                has_symptoms=bool(data["symptoms"]),
                has_epi_link=data["has_epi_link"],
                symptoms=data["symptoms"],
                spo2=data["spo2"],
                respiratory_rate=data["respiratory_rate"],
                detection=data["detection"],
                occupation=data["occupation"],
                vaccination=data["vaccination"],
                comorbidities=data["comorbidities"],
                comorbidity_stable=data["comorbidity_stable"],
                pregnant=data["pregnant"],
                can_self_care=data["can_self_care"],
                treatment_place=data["treatment_place"],
                facility=data["facility"],
                # Registered straight into a hospital bed: "nhập viện", the third way in.
                source="hospital"
                if data["facility"] and data["treatment_place"] not in ("home", "isolation")
                else "staff",
                record_evidence=True,
                lab=data["lab"] or _("Trạm y tế"),
                sample_id=data["sample_id"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if created:
                messages.success(request, _("Đã ghi nhận ca bệnh."))
            else:
                messages.info(request, _("Người này đang có ca bệnh chưa kết thúc; đã mở ca đó."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/register.html", {"form": form})


@role_required(*CASE_ROLES)
def import_results(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = imports.import_lab_results(
                by=request.user,
                upload=form.cleaned_data["file"],
                lab=form.cleaned_data["lab"],
                mode=form.cleaned_data["mode"],
            )
        except FileRefused as exc:
            form.add_error("file", exc.messages[0])
        else:
            # Kept for the download link; the report is bounded (lib.imports).
            request.session[IMPORT_ERRORS_KEY] = report.errors.as_dict()
    return render(request, "cases/import.html", {"form": form, "report": report})


@role_required(*CASE_ROLES)
def import_errors(request):
    """The last import's error report as a spreadsheet."""
    report = ErrorReport.from_dict(request.session.get(IMPORT_ERRORS_KEY))
    return xlsx_response(report.workbook(), "loi-nhap-ket-qua-xet-nghiem.xlsx")


# --- case detail and actions ----------------------------------------------------------------


def _link_panel_context(request, case) -> dict:
    new_link = request.session.pop(_link_session_key(case), None)
    has_link = case.is_open and CaseLink.objects.filter(case=case, revoked_at__isnull=True).exists()
    return {
        "new_link": new_link,
        "new_link_qr": pdf.qr_svg(new_link) if new_link else "",
        "send_form": LinkSendForm(),
        "signed_link": _signed_link(case, new_link) if new_link else "",
        "link_sends": list(case.link_sends.all()[:5]),
        "reissue_confirm": _(
            "Cấp đường link mới: đường link F0 đang dùng sẽ ngừng hoạt động ngay, "
            "F0 phải dùng link mới."
        )
        if has_link
        else "",
    }


def release_confirm_text(open_alerts: int) -> str:
    """What releasing does, said before it is done (lib/confirm.py)."""
    text = _("Cấp giấy xác nhận khỏi bệnh và kết thúc theo dõi F0 này.")
    if open_alerts:
        text += " " + _("%(n)s cảnh báo đang mở sẽ được đóng.") % {"n": open_alerts}
    return text + " " + _("Không thể hoàn tác.")


@role_required(*CASE_ROLES)
def detail(request, pk: int):
    case = selectors.case_get(request.user, pk)
    audit_read(actor=request.user, target=case)
    release = services.release_for(case) if case.is_open else None
    death = Death.objects.filter(case=case).first()
    alerts = selectors.case_alerts(case)
    context = {
        "case": case,
        "checks": selectors.case_checks(case),
        "results": selectors.case_results(case),
        "alerts": alerts,
        "release_confirm": release_confirm_text(
            # the same alerts case_release closes (all open ones, not only the 50 listed)
            case.alerts.filter(status__in=Alert.OPEN_STATES).count()
        ),
        "transfers": case.transfers.select_related("facility", "by")[:20],
        "bags": case.medicine_bags.all(),
        "visits": case.mobile_visits.all(),
        "death": death,
        "release": release,
        "check_form": CheckForm(initial={"submission_key": services.new_submission_key()}),
        "verify_form": VerifyForm(
            initial={
                "is_f1": case.is_f1,
                "has_symptoms": case.has_symptoms,
                "has_epi_link": case.has_epi_link,
            }
        ),
        "override_form": OverrideForm(initial={"eligible": not case.home_care_eligible}),
        "release_form": ReleaseForm(),
        "bag_form": MedicineBagForm(),
        "visit_form": MobileVisitForm(),
        "symptom_labels": SYMPTOM_LABELS,
        **_link_panel_context(request, case),
    }
    return render(request, "cases/detail.html", context)


@require_POST
@role_required(*CASE_ROLES)
def check_new(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            outcome = services.check_submit(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if outcome.alert:
                messages.warning(request, _("Có dấu hiệu nguy hiểm: đã tạo cảnh báo."))
            else:
                messages.success(request, _("Đã ghi phiếu theo dõi."))
    else:
        messages.error(
            request,
            _("Phiếu chưa hợp lệ: ")
            + "; ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect("cases:detail", pk=case.pk)


@require_POST
@role_required(*CASE_ROLES)
def alert_action(request, pk: int):
    alert = selectors.alert_get(request.user, pk)
    form = AlertActionForm(request.POST)
    if not form.is_valid():
        raise Http404
    action = form.cleaned_data["action"]
    try:
        services.alert_move(
            by=request.user,
            alert=alert,
            action=action,
            note=form.cleaned_data["note"],
            outcome=form.cleaned_data["outcome"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if action == "escalate":
            # Escalating is not a transfer: go on to choose the facility (or say why not).
            messages.warning(
                request,
                _("F0 đã vào danh sách cần chuyển tuyến. Hãy chọn cơ sở tiếp nhận để chuyển."),
            )
            return redirect(reverse("cases:transfer", args=[alert.case_id]) + f"?alert={alert.pk}")
    if request.htmx:
        context = _queue_context(request)
        audit_read_many(
            actor=request.user, action="cases.queue", records=context["page"].items
        )
        return render(request, "cases/_queue_rows.html", context)
    nxt = request.POST.get("next", "")
    if nxt == "queue":
        return redirect("cases:queue")
    return redirect("cases:detail", pk=alert.case_id)


@role_required(*CASE_ROLES)
def alert_resolve(request, pk: int):
    """The confirmation step before an alert closes: it shows the alert, says what will
    happen (the alert closes, the hotline ticket opened for it is resolved with it), and
    asks for the outcome and a note. A plain page, so it works on a phone and without JS."""
    alert = selectors.alert_get(request.user, pk)
    audit_read(actor=request.user, target=alert.case, action="cases.alert_resolve_form")
    form = AlertResolveForm(request.POST or None, alert=alert)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_move(
                by=request.user,
                alert=alert,
                action="resolve",
                note=form.cleaned_data["note"],
                outcome=form.cleaned_data["outcome"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "handled":
                messages.error(request, " ".join(exc.messages))
                return redirect("cases:detail", pk=alert.case_id)
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã đóng cảnh báo."))
            if request.GET.get("next") == "queue":
                return redirect("cases:queue")
            return redirect("cases:detail", pk=alert.case_id)
    return render(
        request,
        "cases/alert_resolve.html",
        {
            "alert": alert,
            "case": alert.case,
            "form": form,
            "ticket_id": selectors.alert_ticket_id(alert),
        },
    )


@require_POST
@role_required(*CASE_ROLES)
def transfer_override(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = TransferOverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do không chuyển tuyến."))
        return redirect("cases:transfer", pk=case.pk)
    try:
        services.case_transfer_override(
            by=request.user, case=case, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã ghi lý do không chuyển tuyến; F0 tiếp tục ở nơi hiện tại."))
    return redirect("cases:detail", pk=case.pk)


@require_POST
@role_required(*CASE_ROLES)
def link_issue(request, pk: int):
    case = selectors.case_get(request.user, pk)
    try:
        if CaseLink.objects.filter(case=case, revoked_at__isnull=True).exists():
            # Re-issuing revokes the link the F0 already has: asked first.
            confirm.require_confirmed(request)
        _link, raw = services.case_link_issue(by=request.user, case=case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # Shown once on the next page (with copy, QR and send); only its hash is stored.
        request.session[_link_session_key(case)] = absolute_url(
            reverse("cases:check_form", args=[raw]), request
        )
    return redirect(reverse("cases:detail", args=[case.pk]) + "#link-panel")


# Salt of the shown link's signed copy (lib.link_sends.shown_link_sign).
LINK_SEND_SALT = "cases.link_send"


def _link_session_key(case) -> str:
    return f"case_link_{case.pk}"


def _signed_link(case, url: str) -> str:
    return shown_link_sign(url, salt=LINK_SEND_SALT, key="case", pk=case.pk)


def _unsigned_link(case, value: str) -> str | None:
    signed = shown_link_unsign(value, salt=LINK_SEND_SALT, key="case")
    return signed[1] if signed is not None and signed[0] == case.pk else None


@require_POST
@role_required(*CASE_ROLES)
def link_send(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = LinkSendForm(request.POST)
    url = _unsigned_link(case, request.POST.get("link", ""))
    if url is None:
        messages.error(request, _("Đường link đã hết thời gian hiển thị; hãy cấp link mới để gửi."))
    elif form.is_valid():
        try:
            sent = services.case_link_send(
                by=request.user,
                case=case,
                url=url,
                channel=form.cleaned_data["channel"],
                submission=form.submission(request.user),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            link_send_flash(request, sent, phone_display=case.person.phone_display)
    return redirect(reverse("cases:detail", args=[case.pk]) + "#link-panel")


@require_POST
@role_required(*CASE_ROLES)
def verify(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.case_verify(by=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _("Chưa khẳng định được: ") + " ".join(exc.messages))
        else:
            messages.success(request, _("Đã khẳng định ca bệnh."))
    return redirect("cases:detail", pk=case.pk)


@require_POST
@role_required(*CASE_ROLES)
def home_care_override(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        services.case_home_care_override(by=request.user, case=case, **form.cleaned_data)
        messages.success(request, _("Đã điều chỉnh đánh giá điều trị tại nhà."))
    else:
        messages.error(request, _("Cần ghi lý do khi điều chỉnh."))
    return redirect("cases:detail", pk=case.pk)


@role_required(*CASE_ROLES)
def transfer(request, pk: int):
    case = selectors.case_get(request.user, pk)
    audit_read(actor=request.user, target=case, action="cases.transfer_form")
    bed_type = _needed_bed_type(request, case)
    facilities = transfer_choices(request.user, bed_type=bed_type)
    alert = _alert_of_case(request, case, request.GET.get("alert"))
    initial = {"alert_id": alert.pk if alert else None}
    form = TransferForm(
        request.POST or None, facilities=facilities, bed_type=bed_type, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        alert = None
        if data["alert_id"]:
            alert = selectors.alert_get(request.user, data["alert_id"])
            if alert.case_id != case.pk:
                raise Http404
        try:
            services.case_transfer(
                by=request.user,
                case=case,
                to_place=data["to_place"],
                facility=data["facility"],
                reason=data["reason"],
                alert=alert,
                bed_type=data["bed_type"] or None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã chuyển nơi điều trị."))
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/transfer.html",
        {
            "case": case,
            "form": form,
            "facilities": _with_bed_cells(facilities, bed_type),
            "places": TreatmentPlace,
            "bed_type": bed_type,
            "bed_types": BedType.choices,
            "alert": alert,
            "ticket_id": selectors.alert_ticket_id(alert) if alert else None,
            "override_form": TransferOverrideForm(),
        },
    )


def _with_bed_cells(facilities, bed_type: str) -> list:
    rows = list(facilities)
    for facility in rows:
        facility.bed_cells = bed_cells(facility, bed_type)
    return rows


def _needed_bed_type(request, case) -> str:
    """The bed type the dialog lists free beds of: what the worker picked, else what the
    patient's severity suggests (critical: intensive care; moderate or severe: a bed with
    oxygen; otherwise a regular bed)."""
    picked = request.POST.get("bed_type") or request.GET.get("bed_type")
    if picked in BedType.values:
        return picked
    if case.severity == SeverityLevel.CRITICAL:
        return BedType.ICU
    if case.severity in (SeverityLevel.MODERATE, SeverityLevel.SEVERE):
        return BedType.OXYGEN
    return BedType.REGULAR


def _alert_of_case(request, case, raw) -> object | None:
    """The alert named in ?alert= if it is this case's and the user may see it."""
    try:
        alert_id = int(raw or 0)
    except ValueError:
        return None
    if not alert_id or alert_id > 2**31:
        return None
    alert = selectors.cases_alerts_visible(request.user).filter(pk=alert_id, case=case).first()
    return alert


@require_POST
@role_required(*CASE_ROLES)
def release(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        try:
            confirm.require_confirmed(request)
            services.case_release(
                by=request.user, case=case, negative_rat_on=form.cleaned_data["negative_rat_on"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã kết thúc cách ly và cấp giấy xác nhận khỏi bệnh."))
    return redirect("cases:detail", pk=case.pk)


@role_required(*CASE_ROLES)
def certificate(request, pk: int):
    case = selectors.case_get(request.user, pk)
    if case.status != CaseStatus.RECOVERED or not case.certificate_code:
        raise Http404
    audit_read(actor=request.user, target=case, action="cases.certificate")
    verify_url = absolute_url(
        reverse("cases:certificate_verify", args=[case.certificate_code]), request
    )
    content = pdf.certificate_pdf(case, verify_url)
    return pdf_response(content, f"giay-khoi-benh-{case.pk}.pdf")


@role_required(*CASE_ROLES)
def death(request, pk: int):
    case = selectors.case_get(request.user, pk)
    audit_read(actor=request.user, target=case, action="cases.death_form")
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_death_record(by=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận tử vong."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/death.html", {"case": case, "form": form})


@require_POST
@role_required(*CASE_ROLES)
def dossier(request, pk: int):
    case = selectors.case_get(request.user, pk)
    record = get_object_or_404(Death, case=case)
    form = DossierForm(request.POST)
    if form.is_valid():
        try:
            services.death_dossier_advance(
                by=request.user, death=record, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("cases:detail", pk=case.pk)


@require_POST
@role_required(*CASE_ROLES)
def medicine_bag(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = MedicineBagForm(request.POST)
    if form.is_valid():
        try:
            services.medicine_bag_record(
                by=request.user,
                case=case,
                submission=form.submission(request.user),
                **form.answers(),
            )
        except ValidationError as exc:  # the key was used for another bag: the page has a new one
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi nhận cấp túi thuốc."))
    return redirect("cases:detail", pk=case.pk)


@require_POST
@role_required(*CASE_ROLES)
def mobile_visit(request, pk: int):
    case = selectors.case_get(request.user, pk)
    form = MobileVisitForm(request.POST)
    if form.is_valid():
        try:
            services.mobile_visit_record(
                by=request.user,
                case=case,
                submission=form.submission(request.user),
                **form.answers(),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã ghi nhận lượt khám của trạm y tế lưu động."))
    return redirect("cases:detail", pk=case.pk)


@role_required(*CASE_ROLES)
def photo(request, pk: int):
    case = selectors.case_get(request.user, pk)
    if not case.self_test_photo:
        raise Http404
    audit_read(actor=request.user, target=case, action="cases.photo")
    return FileResponse(case.self_test_photo.open("rb"), content_type="image/jpeg")


# --- daily announcement (staff) ------------------------------------------------------------


@role_required(*REPORT_ROLES)
def reports(request):
    if request.method == "POST":
        if not request.user.has_role(*REPORT_EDIT_ROLES):
            raise Http404
        try:
            day = datetime.strptime(request.POST.get("day", ""), "%d/%m/%Y").date()
        except ValueError:
            day = timezone.localdate()
        try:
            report = services.daily_report_draft(
                by=request.user, unit=request.user.jurisdiction, day=day
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("cases:report", pk=report.pk)
    return render(
        request,
        "cases/reports.html",
        {
            "reports": selectors.reports_for(request.user)[:60],
            "can_edit": request.user.has_role(*REPORT_EDIT_ROLES),
            "today": timezone.localdate(),
        },
    )


@role_required(*REPORT_ROLES)
def report(request, pk: int):
    report_obj = selectors.reports_for(request.user).filter(pk=pk).first()
    if report_obj is None:
        raise Http404
    form = ReportForm(request.POST or None, initial={"commentary": report_obj.commentary})
    # A district reads the province's announcement but publishes only its own.
    can_edit = request.user.has_role(*REPORT_EDIT_ROLES) and may_act_on_unit(
        request.user, report_obj.unit, roles_above=REPORT_EDIT_ABOVE_ROLES
    )
    if request.method == "POST":
        if not request.user.has_role(*REPORT_EDIT_ROLES):
            raise Http404
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.daily_report_publish(
                    by=request.user, report=report_obj, commentary=form.cleaned_data["commentary"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Đã công bố báo cáo."))
            return redirect("cases:report", pk=report_obj.pk)
    return render(
        request,
        "cases/report.html",
        {
            "report": report_obj,
            "form": form,
            "can_edit": can_edit,
            **pdf.report_context(report_obj),
        },
    )


# --- public pages ---------------------------------------------------------------------------

HOUR = 3600


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _check_allowed(request, token: str) -> bool:
    """Two buckets: per link (twice a day plus warning signs is far below 12 an hour) and
    per client IP. The IP ceiling is high because mobile carriers put many subscribers
    behind one address (CGNAT); it stops floods, the per-link bucket stops abuse of a link."""
    address = ratelimit.client_ip(request) or "unknown"
    # Both buckets in one statement without Redis (they were an upsert each).
    return ratelimit.allow_keys(
        [
            (f"check-link:{hash_token(token)}", _limit("CASES_CHECK_LINK_LIMIT", 12), HOUR),
            (f"check:{address}", _limit("CASES_CHECK_IP_LIMIT", 600), HOUR),
        ]
    )


@public_view
def check_form(request, token: str):
    case = services.case_by_link(token)
    if case is None:
        return render(request, "cases/public/link_invalid.html", status=404)
    form = CheckForm(
        request.POST or None, initial={"submission_key": services.new_submission_key()}
    )
    if request.method == "POST":
        if not _check_allowed(request, token):
            return render(request, "cases/public/slow_down.html", status=429)
        if form.is_valid():
            try:
                outcome = services.check_submit(case=case, by=None, **form.cleaned_data)
            except ValidationError:
                return render(request, "cases/public/link_invalid.html", status=404)
            return render(
                request,
                "cases/public/check_done.html",
                {"outcome": outcome, "token": token, "reference": reference_for(outcome.check)},
            )
    return render(
        request,
        "cases/public/check_form.html",
        {
            "form": form,
            "first_name": case.person.full_name.split(" ")[-1],
            "reads": citizen_read_rows(case.person),
        },
    )


@public_view
def self_declare(request):
    communes = home_communes()
    form = SelfDeclareForm(request.POST or None, request.FILES or None, communes=communes)
    if request.method == "POST":
        if not ratelimit.allow(
            request,
            "declare",
            limit=_limit("CASES_DECLARE_IP_LIMIT", 30),
            window_seconds=HOUR,
        ):
            return render(request, "cases/public/slow_down.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            if not data["website"]:
                tested_at = timezone.make_aware(
                    datetime.combine(data["tested_on"], datetime.min.time().replace(hour=12))
                )
                case = services.case_self_declare(
                    full_name=data["full_name"],
                    birth_year=data["birth_year"],
                    phone=data["phone"],
                    commune=data["commune"],
                    address=data["address"],
                    tested_at=tested_at,
                    has_symptoms=data["has_symptoms"],
                    is_f1=data["is_f1"],
                    photo=data["photo"],
                )
                # Dated today even for a case already open: the answer must not tell
                # whether this person was known (the code itself is opaque either way).
                reference = reference_for(case, on=timezone.localdate())
            else:
                reference = reference_decoy("F0")
            # The same answer whether the person was new, known, or already a case.
            return render(request, "cases/public/declare_done.html", {"reference": reference})
    return render(request, "cases/public/declare.html", {"form": form})


@public_view
def certificate_verify(request, code: str):
    case = selectors.case_by_certificate(code)
    return render(
        request,
        "cases/public/certificate_verify.html",
        {"case": case},
        status=200 if case else 404,
    )


@public_view
def public_reports(request):
    page = Paginator(selectors.published_reports(), 30).get_page(request.GET.get("page"))
    return render(request, "cases/public/reports.html", {"page": page})


def _published_report(pk: int) -> DailyReport:
    report_obj = selectors.published_reports().filter(pk=pk).first()
    if report_obj is None:
        raise Http404
    return report_obj


@public_view
def public_report(request, pk: int):
    report_obj = _published_report(pk)
    return render(
        request,
        "cases/public/report.html",
        {"report": report_obj, **pdf.report_context(report_obj)},
    )


@public_view
def public_report_pdf(request, pk: int):
    report_obj = _published_report(pk)
    html = render_to_string(
        "cases/pdf/report.html", {"report": report_obj, **pdf.report_context(report_obj)}
    )
    return pdf_response(pdf.html_to_pdf(html), f"ban-tin-{report_obj.report_date:%Y%m%d}.pdf")
