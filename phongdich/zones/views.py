"""Pages of zones: the list (scoped), a zone's page with its history, proposals, lifting
check and food supply, the proposal and decision forms, the food-gap list, the map of
active zones and the XLSX export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import public_view, role_required
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.cases.pdf import qr_svg
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import communes_within
from phongdich.lib.bounds import pk_or_none
from phongdich.lib.files import xlsx_response
from phongdich.lib.identity import format_phone
from phongdich.lib.link_sends import link_send_flash, shown_link_sign, shown_link_unsign
from phongdich.lib.ratelimit import allow
from phongdich.lib.urls import absolute_url
from phongdich.lib.xlsx import build_workbook

from . import classification, rules, selectors, services, thresholds
from .forms import (
    CheckpointAttachForm,
    CitizenFoodForm,
    DecideForm,
    DeliveryForm,
    FactsForm,
    FoodRequestForm,
    HouseholdForm,
    HouseholdLinkSendForm,
    ProposalForm,
    ZoneForm,
)
from .models import Zone, ZoneProposal

VIEW = selectors.VIEW_ROLES
PROPOSERS = selectors.PROPOSER_ROLES
SUPPLY = selectors.SUPPLY_ROLES
PUBLIC_LIMIT = 500  # the province's zones in force; more would be a list nobody reads


def _districts(user):
    unit = user.jurisdiction
    if unit is None:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(
        path__startswith=unit.path, kind=AdminUnit.Kind.DISTRICT
    ).order_by("name")


@role_required(*VIEW)
def zone_list(request):
    status = request.GET.get("status") or None
    district = pk_or_none(request.GET.get("district"))
    zones = list(selectors.zone_list(request.user, status=status, district=district)[:500])
    return render(
        request,
        "zones/list.html",
        {
            "zones": zones,
            "statuses": Zone.Status.choices,
            "status": status,
            "districts": _districts(request.user),
            "district": district,
            "can_propose": request.user.has_role(*PROPOSERS),
        },
    )


@role_required(*VIEW)
def zone_export(request):
    zones = selectors.zone_list(request.user, status=request.GET.get("status") or None)
    header = [
        _("Tên vùng"),
        _("Phạm vi"),
        _("Biện pháp"),
        _("Phân loại nguy cơ"),
        _("Xã, phường"),
        _("Địa chỉ, mô tả"),
        _("Tình trạng"),
        _("Ngày bắt đầu"),
        _("Ngày kết thúc"),
        _("Số quyết định"),
        _("Ngày quyết định"),
        _("Số người"),
        _("Số hộ"),
        _("Yêu cầu lương thực chưa đáp ứng"),
    ]
    rows = (
        [
            z.name,
            z.get_kind_display(),
            z.get_measure_display(),
            z.get_risk_class_display(),
            z.commune.label(),
            z.address,
            z.get_status_display(),
            z.started_on,
            z.ended_on,
            z.decision_number,
            z.decision_date,
            z.people_count,
            z.households_count,
            z.open_requests,
        ]
        for z in zones.iterator()
    )
    return xlsx_response(build_workbook(_("Vùng phong tỏa"), header, rows), "vung-phong-toa.xlsx")


@role_required(*PROPOSERS)
def zone_create(request):
    form = ZoneForm(request.POST or None, communes=communes_within(request.user.jurisdiction))
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.zone_propose(by=request.user, **form.answers())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã gửi đề xuất lập vùng; chờ cấp trên quyết định."))
            return redirect("zones:detail", pk=zone.pk)
    return render(request, "zones/form.html", {"form": form})


def _detail_context(request, zone, **forms):
    user = request.user
    today = timezone.localdate()
    show_supply = user.has_role(*SUPPLY)
    households = selectors.households_with_last_delivery(zone) if show_supply else []
    gap_rule = thresholds.food_gap_days(today)
    for household in households:
        since = max(filter(None, [zone.started_on, household.created_at.date()]))
        household.waited = (
            rules.food_gap(
                last_delivery_on=household.last_delivery,
                since=since,
                today=today,
                days=gap_rule.value,
            )
            if zone.is_active
            else None
        )
    pending = selectors.pending_proposal(zone)
    inputs = services.lift_inputs(zone)
    checkpoints = selectors.zone_checkpoints(user, zone)
    may_attach = user.has_role(*services.CHECKPOINT_EDITOR_ROLES)
    lift_rule = thresholds.lift_days(today)
    return {
        "zone": zone,
        "lift": services.lift_check(zone, today, inputs, days=lift_rule.value),
        "inputs": inputs,
        "lift_days": lift_rule.value,
        "lift_confirmed": lift_rule.confirmed,
        "lift_source": lift_rule.regulation,
        "gap_days": gap_rule.value,
        "pending_reasons": _basis_view(pending),
        "computed": _computed_class(zone, today),
        "history": selectors.history_rows(zone),
        "proposals": selectors.proposals(zone),
        "pending": pending,
        "may_decide": pending is not None and services.may_decide(user, zone),
        "may_propose": user.has_role(*PROPOSERS) and pending is None and zone.is_active,
        "may_edit": user.has_role(*PROPOSERS),
        "show_supply": show_supply,
        "summary": selectors.supply_summary(zone) if show_supply else None,
        "households": households,
        "requests": list(selectors.open_requests(zone)) if show_supply else [],
        "deliveries": list(selectors.recent_deliveries(zone)) if show_supply else [],
        "decide_form": forms.get("decide_form") or DecideForm(),
        "proposal_form": forms.get("proposal_form") or ProposalForm(),
        "facts_form": forms.get("facts_form")
        or FactsForm(
            initial={
                k: getattr(zone, k)
                for k in (
                    "last_case_on",
                    "last_negative_round_on",
                    "people_count",
                    "households_count",
                )
            }
        ),
        "household_form": forms.get("household_form") or HouseholdForm(),
        "request_form": forms.get("request_form") or FoodRequestForm(zone=zone),
        "delivery_form": forms.get("delivery_form")
        or DeliveryForm(zone=zone, initial={"delivered_on": today}),
        "checkpoints": checkpoints,
        "may_attach": may_attach,
        "checkpoint_form": forms.get("checkpoint_form")
        or (
            CheckpointAttachForm(checkpoints=services.attachable_checkpoints(user, zone))
            if may_attach
            else None
        ),
    }


def _render_detail(request, zone, status=200, **forms):
    context = _detail_context(request, zone, **forms)
    # Households name a head and a phone: showing them is a read of personal data.
    audit_read_many(actor=request.user, action="zones.households", records=context["households"])
    # Travellers named beside the zone's passages (only for the roles that may see them).
    audit_read_many(
        actor=request.user, action="zones.passages", records=context["checkpoints"].named
    )
    return render(request, "zones/detail.html", context, status=status)


@role_required(*VIEW)
def zone_detail(request, pk):
    return _render_detail(request, selectors.zone_for(request.user, pk))


def _fail(request, zone, exc, **forms):
    # Also as a message: the form that failed may be gone from the page (a proposal another
    # approver decided a moment ago is no longer pending, so its form is not shown).
    for text in exc.messages:
        messages.error(request, text)
    for form in forms.values():
        form.add_error(None, exc)
    return _render_detail(request, zone, status=400, **forms)


def _post_on_zone(request, zone, key, form, service, done_message):
    """One form posted on a zone's page: the service writes it, or the page comes back
    with the form and the reason (400)."""
    if not form.is_valid():
        return _render_detail(request, zone, status=400, **{key: form})
    try:
        service(by=request.user, zone=zone, **form.cleaned_data)
    except ValidationError as exc:
        return _fail(request, zone, exc, **{key: form})
    messages.success(request, done_message)
    return redirect("zones:detail", pk=zone.pk)


@require_POST
@role_required(*VIEW)
def proposal_decide(request, pk, proposal):
    zone = selectors.zone_for(request.user, pk)
    record = ZoneProposal.objects.filter(zone=zone, pk=proposal).first()
    if record is None:
        raise Http404
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, zone, status=400, decide_form=form)
    data = form.cleaned_data
    try:
        services.proposal_decide(
            by=request.user,
            proposal=record,
            approve=data["approve"] == "yes",
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            note=data["decision_note"],
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        return _fail(request, zone, exc, decide_form=form)
    messages.success(request, _("Đã ghi quyết định."))
    return redirect("zones:detail", pk=zone.pk)


@require_POST
@role_required(*PROPOSERS)
def proposal_create(request, pk):
    zone = selectors.zone_for(request.user, pk)
    return _post_on_zone(
        request,
        zone,
        "proposal_form",
        ProposalForm(request.POST),
        services.proposal_create,
        _("Đã gửi đề xuất; chờ cấp trên quyết định."),
    )


@require_POST
@role_required(*PROPOSERS)
def zone_facts(request, pk):
    zone = selectors.zone_for(request.user, pk)
    return _post_on_zone(
        request,
        zone,
        "facts_form",
        FactsForm(request.POST),
        services.zone_facts_update,
        _("Đã cập nhật."),
    )


@require_POST
@role_required(*SUPPLY)
def household_add(request, pk):
    zone = selectors.zone_for(request.user, pk)
    return _post_on_zone(
        request,
        zone,
        "household_form",
        HouseholdForm(request.POST),
        services.household_add,
        _("Đã thêm hộ."),
    )


@require_POST
@role_required(*SUPPLY)
def food_request_create(request, pk):
    zone = selectors.zone_for(request.user, pk)
    return _post_on_zone(
        request,
        zone,
        "request_form",
        FoodRequestForm(request.POST, zone=zone),
        services.food_request_create,
        _("Đã ghi yêu cầu."),
    )


@require_POST
@role_required(*SUPPLY)
def delivery_record(request, pk):
    zone = selectors.zone_for(request.user, pk)
    return _post_on_zone(
        request,
        zone,
        "delivery_form",
        DeliveryForm(request.POST, zone=zone),
        services.delivery_record,
        _("Đã ghi lượt giao."),
    )


@role_required(*SUPPLY)
def food_gaps(request):
    today = timezone.localdate()
    gap_days = thresholds.food_gap_days(today).value
    gaps = selectors.food_gaps(selectors.zones_for(request.user), today, gap_days)[:500]
    audit_read_many(actor=request.user, action="zones.food_gaps", records=gaps)
    return render(request, "zones/gaps.html", {"gaps": gaps, "gap_days": gap_days})


@role_required(*VIEW)
def zone_map(request):
    points = selectors.map_points(request.user)
    return render(
        request,
        "zones/map.html",
        {"points": points},
    )


@public_view
def public_zones(request):
    """Citizens' page: the zones in force across the province, with their extent, measure
    or class, place (commune with its district) and dates; no personal data: no address,
    no households, and a single building's zone is not named (its name may be a family's)."""
    rows = list(
        Zone.objects.filter(status=Zone.Status.IN_FORCE)
        .select_related("commune__parent")
        .prefetch_related("other_communes__parent")
        .order_by("commune__parent__name", "commune__name", "started_on", "pk")[:PUBLIC_LIMIT]
    )
    return render(
        request,
        "zones/public.html",
        {"zones": rows, "limit": PUBLIC_LIMIT, "today": timezone.localdate()},
    )


# --- a household's personal link --------------------------------------------------------

# Salt of the shown link's signed copy (lib.link_sends.shown_link_sign).
LINK_SEND_SALT = "zones.household_link"
CITIZEN_RATE = 30  # posts per address per 10 minutes, as the quarantine check's link


def _household_for(request, pk, household):
    zone = selectors.zone_for(request.user, pk)
    found = zone.households.filter(pk=household).first()
    if found is None:
        raise Http404
    found.zone = zone
    return zone, found


def _link_session_key(household) -> str:
    return f"zones-household-link-{household.pk}"


@require_POST
@role_required(*SUPPLY)
def household_link_issue(request, pk, household):
    zone, found = _household_for(request, pk, household)
    try:
        _link, raw = services.household_link_issue(by=request.user, household=found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("zones:detail", args=[zone.pk]) + "#households")
    # Shown once on the next page (to print or send); only its hash is stored.
    request.session[_link_session_key(found)] = absolute_url(
        reverse("zones:household_page", args=[raw]), request
    )
    return redirect("zones:household_link", pk=zone.pk, household=found.pk)


@role_required(*SUPPLY)
def household_link(request, pk, household):
    """The household's new link, once: large, to print and hand over, or to send by SMS."""
    zone, found = _household_for(request, pk, household)
    url = request.session.pop(_link_session_key(found), None)
    audit_read(actor=request.user, target=zone, action="zones.household_link_read")
    return render(
        request,
        "zones/household_link.html",
        {
            "zone": zone,
            "household": found,
            "url": url,
            "signed": shown_link_sign(url, salt=LINK_SEND_SALT, key="household", pk=found.pk)
            if url
            else "",
            "qr": qr_svg(url) if url else "",
            "send_form": HouseholdLinkSendForm(),
            "sends": list(found.link_sends.all()[:5]),
        },
    )


@require_POST
@role_required(*SUPPLY)
def household_link_send(request, pk, household):
    zone, found = _household_for(request, pk, household)
    form = HouseholdLinkSendForm(request.POST)
    signed = shown_link_unsign(request.POST.get("link", ""), salt=LINK_SEND_SALT, key="household")
    url = signed[1] if signed is not None and signed[0] == found.pk else None
    if url is None:
        messages.error(request, _("Đường link đã hết thời gian hiển thị; hãy cấp link mới để gửi."))
    elif form.is_valid():
        try:
            sent = services.household_link_send(
                by=request.user,
                household=found,
                url=url,
                channel=form.cleaned_data["channel"],
                submission=form.submission(request.user),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            link_send_flash(request, sent, phone_display=format_phone(found.phone))
    return redirect(reverse("zones:detail", args=[zone.pk]) + "#households")


def _citizen_household(token):
    household = selectors.household_by_link(token)
    if household is None:
        raise Http404
    return household


def _citizen_render(request, household, token, form=None, status=200):
    return render(
        request,
        "zones/household_page.html",
        {
            "household": household,
            "zone": household.zone,
            "form": form or CitizenFoodForm(),
            "requests": selectors.household_requests(household),
            "deliveries": selectors.household_deliveries(household),
            "may_ask": household.zone.is_active,
            "token": token,
        },
        status=status,
    )


@public_view
@never_cache
def household_page(request, token):
    """The household's own page (no account): ask for food or essentials, see what was
    delivered, confirm a delivery received. Nothing of any other household is on it."""
    household = _citizen_household(token)
    if request.method != "POST":
        return _citizen_render(request, household, token)
    if not allow(request, "zones.household", limit=CITIZEN_RATE, window_seconds=600):
        return render(request, "checkpoints/throttled.html", status=429)
    form = CitizenFoodForm(request.POST)
    if not form.is_valid():
        return _citizen_render(request, household, token, form, status=400)
    try:
        _request, created = services.citizen_food_request(household=household, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _citizen_render(request, household, token, form, status=400)
    messages.success(
        request,
        _("Đã gửi yêu cầu. Tổ công tác xã sẽ giao hàng tới hộ.")
        if created
        else _(
            "Hộ đang có một yêu cầu chưa được giao đủ: yêu cầu đó vẫn được giữ, tổ công tác "
            "xã sẽ giao hàng tới hộ."
        ),
    )
    return redirect("zones:household_page", token=token)


@require_POST
@public_view
@never_cache
def household_confirm(request, token, delivery):
    household = _citizen_household(token)
    if not allow(request, "zones.household", limit=CITIZEN_RATE, window_seconds=600):
        return render(request, "checkpoints/throttled.html", status=429)
    if services.citizen_delivery_confirm(household=household, delivery_pk=delivery):
        messages.success(request, _("Đã xác nhận hộ đã nhận hàng. Cảm ơn."))
    return redirect("zones:household_page", token=token)


# --- the zone's checkpoints ---------------------------------------------------------------

CHECKPOINT_EDITORS = services.CHECKPOINT_EDITOR_ROLES


@require_POST
@role_required(*CHECKPOINT_EDITORS)
def checkpoint_attach(request, pk):
    zone = selectors.zone_for(request.user, pk)
    form = CheckpointAttachForm(
        request.POST, checkpoints=services.attachable_checkpoints(request.user, zone)
    )
    if not form.is_valid():
        return _render_detail(request, zone, status=400, checkpoint_form=form)
    try:
        services.zone_checkpoint_attach(
            by=request.user, zone=zone, checkpoint=form.cleaned_data["checkpoint"]
        )
    except ValidationError as exc:
        return _fail(request, zone, exc, checkpoint_form=form)
    messages.success(request, _("Đã gắn chốt kiểm soát với vùng."))
    return redirect(reverse("zones:detail", args=[zone.pk]) + "#checkpoints")


@require_POST
@role_required(*CHECKPOINT_EDITORS)
def checkpoint_detach(request, pk, checkpoint):
    zone = selectors.zone_for(request.user, pk)
    found = zone.checkpoints.filter(pk=checkpoint).first()
    if found is None:
        raise Http404
    services.zone_checkpoint_detach(by=request.user, zone=zone, checkpoint=found)
    messages.success(request, _("Đã bỏ chốt kiểm soát khỏi vùng."))
    return redirect(reverse("zones:detail", args=[zone.pk]) + "#checkpoints")


def _shown(iso_day: str | None) -> str:
    """A stored ISO day as dd/mm/yyyy."""
    if not iso_day or len(iso_day) != 10:
        return ""
    return f"{iso_day[8:10]}/{iso_day[5:7]}/{iso_day[0:4]}"


def _basis_view(proposal) -> dict | None:
    """A proposal made from the data: its reasons in the reader's language, the figures'
    day and each rule row behind it with its source (None for a typed proposal)."""
    if proposal is None or not proposal.basis:
        return None
    basis = proposal.basis
    seen, sources = set(), []
    for crossed in basis.get("crossed", []):
        key = (crossed["risk_class"], crossed.get("rule_id"))
        if key in seen:
            continue
        seen.add(key)
        sources.append({**crossed, "valid_from_shown": _shown(crossed.get("valid_from"))})
    return {
        "day": _shown(basis.get("day")),
        "reasons": rules.reasons(basis, classification.class_labels()),
        "sources": sources,
    }


def _computed_class(zone, today) -> dict | None:
    """For a zone in force carrying a class: the class its communes' figures give today."""
    if not (zone.is_active and zone.risk_class):
        return None
    result, reasons = classification.zone_class(zone, today)
    return {
        "label": classification.class_label(result.risk_class),
        "differs": result.risk_class != zone.risk_class,
        "reasons": reasons,
    }


def _class_rows(request):
    district = pk_or_none(request.GET.get("district"))
    today = timezone.localdate()
    rows, class_rules = classification.commune_classes(
        request.user.jurisdiction, today, district=district
    )
    return rows, class_rules, district, today


@role_required(*VIEW)
def class_list(request):
    rows, class_rules, district, today = _class_rows(request)
    return render(
        request,
        "zones/classes.html",
        {
            "rows": rows,
            "class_rules": [classification.RuleView(r) for r in class_rules],
            "districts": _districts(request.user),
            "district": district,
            "today": today,
            "differing": sum(1 for r in rows if r.differs),
            "may_scan": request.user.has_role(*services.SCAN_ROLES),
        },
    )


@role_required(*VIEW)
def class_export(request):
    rows, _rules, _district, today = _class_rows(request)
    labels = classification.class_labels()
    header = [
        _("Xã, phường"),
        _("Quận, huyện"),
        _("Dân số"),
        _("Ca mắc mới trong cộng đồng"),
        _("Ca mắc mới trên 100.000 dân"),
        _("Mẫu dương tính qua xét nghiệm sàng lọc"),
        _("Ổ dịch đang hoạt động"),
        _("Ổ dịch chưa rõ nguồn lây"),
        _("Phân loại theo số liệu"),
        _("Lý do"),
        _("Phân loại đang áp dụng"),
        _("Đề xuất chờ quyết định"),
    ]
    data = (
        [
            r.commune.name,
            r.commune.parent.name if r.commune.parent_id else "",
            r.commune.population,
            r.figures.cases,
            float(r.figures.cases_per_100k) if r.figures.cases_per_100k is not None else None,
            r.figures.positives,
            r.figures.clusters,
            r.figures.clusters_no_source,
            str(labels.get(r.result.risk_class, "")),
            "; ".join(str(reason) for reason in r.reasons),
            str(labels.get(r.current_class, "")) if r.current_class else "",
            str(labels.get(r.pending.risk_class, "")) if r.pending else "",
        ]
        for r in rows
    )
    return xlsx_response(
        build_workbook(_("Phân loại nguy cơ"), header, data),
        f"phan-loai-nguy-co-{today:%d-%m-%Y}.xlsx",
    )


@require_POST
@role_required(*services.SCAN_ROLES)
def class_scan(request):
    result = services.classification_scan(by=request.user)
    if result.created:
        messages.success(
            request,
            _(
                "Đã gửi %(reclassify)s đề xuất đổi phân loại và %(impose)s đề xuất phân loại "
                "xã, phường; chờ cấp trên quyết định."
            )
            % {"reclassify": result.reclassify, "impose": result.impose},
        )
    else:
        messages.info(request, _("Không có đề xuất mới: phân loại theo số liệu không thay đổi."))
    return redirect("zones:classes")
