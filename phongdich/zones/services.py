"""Writes on zones: proposing a zone or a change of it, deciding a proposal (one decision
wins), the facts the lifting rule reads, and the food supply of the households inside.
Every change of a zone lands in its append-only history (ZoneChange) and the audit log."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import check_act_on_unit
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.geo.province import province_of_path
from phongdich.geo.selectors import communes_within, home_province
from phongdich.lib import idempotency
from phongdich.lib.identity import normalize_phone
from phongdich.lib.locks import key_lock
from phongdich.lib.text import fold, nfc

from . import classification, rules, thresholds
from .models import (
    Delivery,
    FoodRequest,
    Household,
    HouseholdLink,
    HouseholdLinkSend,
    Zone,
    ZoneChange,
    ZoneProposal,
)

# Who decides: an officer above the commune (district or province), never the commune that
# proposed (issue 14: "the commune proposes, the district approves").
DECIDER_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN, Role.COMMITTEE_MEMBER)
OVERRIDE_NEEDS_REASON = gettext_lazy(
    "Nhập tay ngày ca mắc hoặc ngày vòng xét nghiệm thay cho số liệu của hệ thống cần ghi lý do."
)
TRACKED = (
    "name",
    "kind",
    "measure",
    "risk_class",
    "status",
    "address",
    "started_on",
    "ended_on",
    "decision_number",
    "decision_date",
    "people_count",
    "households_count",
    "last_case_on",
    "last_negative_round_on",
    "inputs_override_reason",
)


def _lock_zone(zone: Zone) -> Zone:
    # OF self: the zone's row serialises its writes. Locking the joined commune as well held
    # every insert naming the commune (people, cases, tickets, samples: their foreign keys
    # take a key-share lock on it) until the zone's transaction ended (test_concurrency).
    return Zone.objects.select_for_update(of=("self",)).select_related("commune").get(pk=zone.pk)


def _snapshot(zone: Zone) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k in TRACKED
        if (v := getattr(zone, k)) is not None
    }


def _diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in TRACKED if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _change(*, zone, by, kind, before, reason="", decision_number="", decision_date=None):
    old, new = _diff(before, _snapshot(zone))
    return ZoneChange.objects.create(
        zone=zone,
        kind=kind,
        by=by if getattr(by, "is_authenticated", False) else None,
        reason=nfc(reason)[:500],
        decision_number=decision_number,
        decision_date=decision_date,
        before=old,
        after=new,
    )


@transaction.atomic
def zone_propose(
    *,
    by,
    name: str,
    kind: str,
    commune: AdminUnit,
    reason: str,
    measure: str = Zone.Measure.LOCKDOWN,
    risk_class: str = "",
    address: str = "",
    people_count: int = 0,
    households_count: int = 0,
    other_communes=(),
    last_case_on: date | None = None,
    latitude=None,
    longitude=None,
) -> Zone:
    """A new zone, proposed: it is in force only once a decider approves the proposal."""
    check_act_on_unit(by, commune)
    if commune.kind != AdminUnit.Kind.COMMUNE:
        raise ValidationError({"commune": _("Hãy chọn một xã, phường.")})
    if last_case_on and not nfc(reason or "").strip():
        raise ValidationError({"reason": OVERRIDE_NEEDS_REASON})
    zone = Zone.objects.create(
        inputs_override_reason=nfc(reason)[:500] if last_case_on else "",
        name=nfc(name),
        kind=kind,
        measure=measure,
        risk_class=risk_class,
        commune=commune,
        address=nfc(address),
        people_count=people_count,
        households_count=households_count,
        last_case_on=last_case_on,
        latitude=latitude,
        longitude=longitude,
        created_by=by,
    )
    if other_communes:
        zone.other_communes.set([u for u in other_communes if u.pk != commune.pk])
    _change(zone=zone, by=by, kind=ZoneChange.Kind.CREATED, before={}, reason=reason)
    ZoneProposal.objects.create(
        zone=zone,
        action=ZoneProposal.Action.IMPOSE,
        measure=measure,
        risk_class=risk_class,
        reason=nfc(reason),
        proposed_by=by,
    )
    audit_record(actor=by, action="zones.propose", target=zone, changes=_snapshot(zone))
    return zone


def proposal_create(
    *, by, zone: Zone, action: str, reason: str, measure: str = "", risk_class: str = ""
) -> ZoneProposal:
    """A proposal to lift or reclassify a zone in force. One pending proposal per zone (a
    partial unique index), so two proposals cannot race one decision."""
    check_act_on_unit(by, zone.commune)
    if zone.status != Zone.Status.IN_FORCE:
        raise ValidationError(_("Chỉ đề xuất thay đổi cho vùng đang áp dụng."))
    if action == ZoneProposal.Action.CLASSIFY and not (measure or risk_class):
        raise ValidationError(_("Hãy chọn biện pháp hoặc phân loại mới."))
    try:
        with transaction.atomic():
            proposal = ZoneProposal.objects.create(
                zone=zone,
                action=action,
                measure=measure,
                risk_class=risk_class,
                reason=nfc(reason),
                proposed_by=by,
            )
            audit_record(actor=by, action="zones.proposal", target=zone, changes={"action": action})
    except IntegrityError:
        raise ValidationError(_("Vùng này đang có một đề xuất chờ quyết định.")) from None
    return proposal


def may_decide(user, zone: Zone) -> bool:
    unit = getattr(user, "jurisdiction", None)
    return (
        user.has_role(*DECIDER_ROLES)
        and unit is not None
        and unit.kind != AdminUnit.Kind.COMMUNE
        and zone.commune.is_within(unit)
    )


@transaction.atomic
def proposal_decide(
    *,
    by,
    proposal: ZoneProposal,
    approve: bool,
    decision_number: str = "",
    decision_date: date | None = None,
    note: str = "",
    today: date | None = None,
) -> ZoneProposal:
    """Approve or reject a pending proposal. The guarded UPDATE (status still pending) lets
    exactly one of two approvers at once record the decision; the other is told so."""
    zone = Zone.objects.select_related("commune").get(pk=proposal.zone_id)
    if not may_decide(by, zone):
        raise PermissionDenied
    today = today or timezone.localdate()
    if approve and not decision_number:
        raise ValidationError({"decision_number": _("Hãy ghi số quyết định.")})
    decision_number, note = nfc(decision_number), nfc(note)
    status = ZoneProposal.Status.APPROVED if approve else ZoneProposal.Status.REJECTED
    won = ZoneProposal.objects.filter(pk=proposal.pk, status=ZoneProposal.Status.PENDING).update(
        status=status,
        decided_by=by,
        decided_at=timezone.now(),
        decision_number=decision_number,
        decision_date=decision_date,
        decision_note=note,
    )
    if not won:
        raise ValidationError(_("Đề xuất này đã được quyết định trước đó; hãy tải lại trang."))
    zone = _lock_zone(zone)
    before = _snapshot(zone)
    action = proposal.action
    if not approve:
        if action == ZoneProposal.Action.IMPOSE:
            zone.status = Zone.Status.REJECTED
    elif action == ZoneProposal.Action.IMPOSE:
        zone.status = Zone.Status.IN_FORCE
        zone.started_on = decision_date or today
        zone.measure = proposal.measure or zone.measure
        zone.risk_class = proposal.risk_class or zone.risk_class
    elif action == ZoneProposal.Action.LIFT:
        check = lift_check(zone, today)
        if not check.may_lift:
            raise ValidationError([str(r) for r in check.reasons])
        zone.status = Zone.Status.LIFTED
        zone.ended_on = decision_date or today
        _household_links_end(zone)
    else:
        zone.measure = proposal.measure or zone.measure
        zone.risk_class = proposal.risk_class or zone.risk_class
    if approve:
        zone.decision_number, zone.decision_date = decision_number, decision_date
    zone.save()
    _change(
        zone=zone,
        by=by,
        kind=ZoneChange.Kind.DECIDED if approve else ZoneChange.Kind.REJECTED,
        before=before,
        reason=note or proposal.reason,
        decision_number=decision_number,
        decision_date=decision_date,
    )
    audit_record(
        actor=by,
        action="zones.decide",
        target=zone,
        changes={"proposal": proposal.pk, "action": action, "approved": approve},
    )
    proposal.refresh_from_db()
    return proposal


def _household_links_end(zone: Zone) -> None:
    """The households' links stop a few days after the zone ends (the last deliveries still
    get confirmed): their stored expiry is cut to the end of that day."""
    last_day = zone.ended_on + timedelta(days=rules.HOUSEHOLD_LINK_GRACE_DAYS + 1)
    cutoff = timezone.make_aware(datetime.combine(last_day, time.min))
    HouseholdLink.objects.filter(household__zone=zone, expires_at__gt=cutoff).update(
        expires_at=cutoff
    )


def lift_inputs(zone: Zone) -> rules.LiftInputs:
    """The lifting rule's inputs read from data: the last case diagnosed in the zone's
    communes (cases app; the zone's own commune and those it touches, since a case records
    its commune, not the street or building) and the last closed screening round negative in
    them (labtests); a typed date replaces either only with its reason."""
    from django.db.models import Max

    from phongdich.cases.models import Case
    from phongdich.labtests.rounds import last_negative_round_on

    communes = [zone.commune_id, *zone.other_communes.values_list("pk", flat=True)]
    last_case = Case.objects.filter(commune_id__in=communes).aggregate(d=Max("diagnosed_on"))["d"]
    return rules.lift_inputs(
        case_in_data=last_case,
        round_in_data=last_negative_round_on(communes),
        typed_case=zone.last_case_on,
        typed_round=zone.last_negative_round_on,
        override_reason=zone.inputs_override_reason,
    )


def lift_check(
    zone: Zone, today: date, inputs: rules.LiftInputs | None = None, days: int | None = None
) -> rules.LiftCheck:
    """The lifting rule with the number of days of the policy row in force today."""
    inputs = inputs or lift_inputs(zone)
    return rules.lifting(
        in_force=zone.status == Zone.Status.IN_FORCE,
        started_on=zone.started_on,
        last_case_on=inputs.last_case_on,
        last_negative_round_on=inputs.last_negative_round_on,
        today=today,
        days=days if days is not None else thresholds.lift_days(today).value,
    )


FACT_FIELDS = ("last_case_on", "last_negative_round_on", "people_count", "households_count")


@transaction.atomic
def zone_facts_update(*, by, zone: Zone, reason: str = "", **facts) -> Zone:
    """The counts, and the two lifting dates typed over the data: a typed date needs the
    reason, which is kept with the zone (cleared when both dates are cleared)."""
    check_act_on_unit(by, zone.commune)
    zone = _lock_zone(zone)
    before = _snapshot(zone)
    for key, value in facts.items():
        if key in FACT_FIELDS:
            setattr(zone, key, value)
    reason = nfc(reason or "").strip()
    if zone.last_case_on or zone.last_negative_round_on:
        if not reason:
            raise ValidationError({"reason": OVERRIDE_NEEDS_REASON})
        zone.inputs_override_reason = reason[:500]
    else:
        zone.inputs_override_reason = ""
    zone.save()
    change = _change(zone=zone, by=by, kind=ZoneChange.Kind.FACTS, before=before, reason=reason)
    audit_record(actor=by, action="zones.facts", target=zone, changes=change.after)
    return zone


@transaction.atomic
def household_add(
    *, by, zone: Zone, address: str, head_name: str = "", phone: str = "", people: int = 1
) -> Household:
    check_act_on_unit(by, zone.commune)
    household = Household.objects.create(
        zone=zone, address=nfc(address), head_name=nfc(head_name), phone=phone, people=people
    )
    audit_record(
        actor=by, action="zones.household_add", target=zone, changes={"household": household.pk}
    )
    return household


@transaction.atomic
def food_request_create(
    *,
    by,
    zone: Zone,
    household: Household,
    items: str,
    portions: int,
    source: str = FoodRequest.Source.COMMUNE,
) -> FoodRequest:
    check_act_on_unit(by, zone.commune)
    if household.zone_id != zone.pk:
        raise ValidationError(_("Hộ này không thuộc vùng."))
    if portions < 1:
        raise ValidationError({"portions": _("Số suất phải từ 1 trở lên.")})
    request = FoodRequest.objects.create(
        zone=zone,
        household=household,
        items=nfc(items),
        portions=portions,
        source=source,
        requested_by=by,
    )
    audit_record(
        actor=by,
        action="zones.food_request",
        target=zone,
        changes={"request": request.pk, "portions": portions},
    )
    return request


@transaction.atomic
def delivery_record(
    *,
    by,
    zone: Zone,
    household: Household,
    portions: int,
    delivered_on: date,
    request: FoodRequest | None = None,
    items: str = "",
    centre: str = "",
) -> Delivery:
    """A delivery to a household; against a request it adds to the portions delivered (one
    UPDATE with F(), so two deliveries recorded at once both count) and closes the request
    when it is met."""
    check_act_on_unit(by, zone.commune)
    if household.zone_id != zone.pk or (
        request is not None and request.household_id != household.pk
    ):
        raise ValidationError(_("Hộ hoặc yêu cầu không thuộc vùng này."))
    if portions < 1:
        raise ValidationError({"portions": _("Số suất phải từ 1 trở lên.")})
    delivery = Delivery.objects.create(
        zone=zone,
        household=household,
        request=request,
        portions=portions,
        items=nfc(items),
        centre=nfc(centre),
        delivered_on=delivered_on,
        by=by,
    )
    if request is not None:
        FoodRequest.objects.filter(pk=request.pk).update(
            portions_delivered=F("portions_delivered") + portions
        )
        FoodRequest.objects.filter(
            pk=request.pk, status=FoodRequest.Status.OPEN, portions_delivered__gte=F("portions")
        ).update(status=FoodRequest.Status.SERVED, served_at=timezone.now())
    audit_record(
        actor=by,
        action="zones.delivery",
        target=zone,
        changes={"delivery": delivery.pk, "portions": portions},
    )
    return delivery


def scan_lifting(*, today: date | None = None) -> int:
    """Mark the zones in force that may be lifted today (and clear the mark of those that
    may not): the list shows them, and the district is reminded to decide."""
    today = today or timezone.localdate()
    days = thresholds.lift_days(today).value
    marked = 0
    for zone in Zone.objects.filter(status=Zone.Status.IN_FORCE):
        check = lift_check(zone, today, days=days)
        since = (zone.may_lift_since or today) if check.may_lift else None
        if since != zone.may_lift_since:
            Zone.objects.filter(pk=zone.pk).update(may_lift_since=since)
        marked += check.may_lift
    Zone.objects.exclude(status=Zone.Status.IN_FORCE).exclude(may_lift_since=None).update(
        may_lift_since=None
    )
    return marked


# --- requests from outside the commune team: a 1022 call, the household's own link ---------

OUTSIDE_SOURCES = (FoodRequest.Source.HOTLINE, FoodRequest.Source.CITIZEN)
HOUSEHOLD_LINK_VALID_FOR = timedelta(days=rules.HOUSEHOLD_LINK_DAYS)


def _lock_zones(pks) -> list[Zone]:
    # In id order, so two calls locking the same zones never wait on each other in a cycle.
    return list(
        Zone.objects.select_for_update(of=("self",))
        .select_related("commune")
        .filter(pk__in=sorted(pks))
        .order_by("pk")
    )


def _join_or_open(
    *, zone: Zone, household: Household, by, items: str, portions: int, note: str, source: str
) -> tuple[FoodRequest, bool]:
    """The household's open request from outside, or a new one. The caller holds the zone's
    row lock, so two asks at once (two agents, a call and the household's link, a double
    tap) find one another's request; the partial unique index backs the lock up."""
    found = FoodRequest.objects.filter(
        household=household, status=FoodRequest.Status.OPEN, source__in=OUTSIDE_SOURCES
    ).first()
    if found is not None:
        return found, False
    request = FoodRequest.objects.create(
        zone=zone,
        household=household,
        items=nfc(items)[:500],
        portions=portions,
        note=nfc(note)[:300],
        source=source,
        requested_by=by if getattr(by, "is_authenticated", False) else None,
    )
    return request, True


@dataclass(frozen=True)
class HotlineFoodMatch:
    request: FoodRequest | None
    created: bool
    # "" when linked; else "no_zone", "none" (no household of the zone matches), "several".
    reason: str = ""


@transaction.atomic
def food_request_from_hotline(
    *,
    by,
    commune: AdminUnit | None,
    phone: str = "",
    address: str = "",
    caller_name: str = "",
    items: str,
    portions: int | None = None,
) -> HotlineFoodMatch:
    """The zone food request a 1022 food-branch call belongs to, joined or opened.

    Only the zones in force listing the caller's commune are searched, and only households
    of those zones whose phone or folded address equals the call's: a household of another
    commune is never a candidate. When exactly one household answers, its open request from
    outside is joined (a second call adds no portions) or a request is opened. When none
    answers and the commune's only zone covers the whole commune, the caller lives inside
    it: the household joins the plan with the address given. Otherwise nothing is written
    and the reason says why (the commune team records it from the zone's page)."""
    from .selectors import active_zones_at

    zones = active_zones_at(by, commune)
    if not zones:
        return HotlineFoodMatch(None, False, "no_zone")
    zones = _lock_zones([z.pk for z in zones])
    phone = normalize_phone(phone) if phone else ""
    folded = " ".join(fold(address).split()) if address.strip() else ""
    households = Household.objects.filter(zone__in=zones)
    by_phone = list(households.filter(phone=phone).values_list("pk", flat=True)) if phone else []
    # The folded address is not stored: compared here over the zones' households (a zone's
    # plan is hundreds of households, read once per food call).
    by_address = (
        [
            pk
            for pk, a in households.values_list("pk", "address")
            if " ".join(fold(a).split()) == folded
        ]
        if folded
        else []
    )
    pk, why = rules.household_match(by_phone=by_phone, by_address=by_address)
    if pk is not None:
        household = Household.objects.select_related("zone").get(pk=pk)
    elif why == "none" and folded and len(zones) == 1 and zones[0].kind == Zone.Kind.COMMUNE:
        zone = zones[0]
        check_act_on_unit(by, zone.commune)
        household = Household.objects.create(
            zone=zone, address=nfc(address)[:255], head_name=nfc(caller_name)[:100], phone=phone
        )
        household.zone = zone
        audit_record(
            actor=by,
            action="zones.household_add",
            target=zone,
            changes={"household": household.pk, "source": "hotline"},
        )
    else:
        return HotlineFoodMatch(None, False, why)
    zone = household.zone
    check_act_on_unit(by, zone.commune)
    request, created = _join_or_open(
        zone=zone,
        household=household,
        by=by,
        items=items,
        portions=portions or household.people,
        note="",
        source=FoodRequest.Source.HOTLINE,
    )
    audit_record(
        actor=by,
        action="zones.food_request_hotline",
        target=zone,
        changes={"request": request.pk, "household": household.pk, "created": created},
    )
    return HotlineFoodMatch(request, created)


@transaction.atomic
def household_link_issue(*, by, household: Household) -> tuple[HouseholdLink, str]:
    """A fresh personal link for the household; its older links stop working (a lost paper
    is cancelled by printing a new one). The raw token is returned once, never stored."""
    zone = household.zone
    check_act_on_unit(by, zone.commune)
    if zone.status != Zone.Status.IN_FORCE:
        raise ValidationError(_("Chỉ cấp đường link cho hộ của vùng đang áp dụng."))
    now = timezone.now()
    HouseholdLink.objects.filter(household=household, revoked_at__isnull=True).update(
        revoked_at=now
    )
    link, raw = HouseholdLink.mint(
        valid_for=HOUSEHOLD_LINK_VALID_FOR, household=household, created_by=by
    )
    audit_record(
        actor=by,
        action="zones.household_link_issue",
        target=zone,
        changes={"household": household.pk},
    )
    return link, raw


@idempotency.submitted_once(HouseholdLinkSend)
@transaction.atomic
def household_link_send(
    *, by, household: Household, url: str, channel: str, submission=None
) -> HouseholdLinkSend:
    """Send `url` to the household's own phone through the hotline's gateways; a replay of
    the same submission sends nothing more."""
    check_act_on_unit(by, household.zone.commune)
    HouseholdLinkSend.check_channel(channel)
    if not household.phone:
        raise ValidationError(_("Hộ chưa có số điện thoại: hãy in đường link và gửi tận tay."))
    text = _(
        "UBND xã: đường link để hộ gia đình báo cần lương thực, thực phẩm và xác nhận đã nhận "
        "hàng (không cần tài khoản): %(url)s"
    ) % {"url": url}
    send = HouseholdLinkSend.deliver(
        by=by,
        channel=channel,
        to=household.phone,
        text=text,
        reference=f"HO-{household.pk}",
        submission=submission,
        household=household,
    )
    audit_record(
        actor=by,
        action="zones.household_link_send",
        target=household.zone,
        changes={"household": household.pk, "channel": channel, "status": send.status},
    )
    return send


CITIZEN = "người dân"


@transaction.atomic
def citizen_food_request(
    *, household: Household, items: str, portions: int, note: str = ""
) -> tuple[FoodRequest, bool]:
    """The household asks through its link: (request, created). While an earlier ask (its
    own or a 1022 call) is still open, the new one joins it rather than doubling it."""
    (zone,) = _lock_zones([household.zone_id])
    if zone.status != Zone.Status.IN_FORCE:
        raise ValidationError(_("Vùng đã kết thúc; hãy liên hệ UBND xã hoặc gọi 1022."))
    if not 1 <= portions <= 10_000:
        raise ValidationError({"portions": _("Số suất phải từ 1 trở lên.")})
    request, created = _join_or_open(
        zone=zone,
        household=household,
        by=None,
        items=items,
        portions=portions,
        note=note,
        source=FoodRequest.Source.CITIZEN,
    )
    audit_record(
        actor=None,
        actor_label=CITIZEN,
        action="zones.food_request_citizen",
        target=zone,
        changes={"request": request.pk, "household": household.pk, "created": created},
    )
    return request, created


@transaction.atomic
def citizen_delivery_confirm(*, household: Household, delivery_pk: int) -> bool:
    """The household confirms it received a delivery; once (a guarded UPDATE), and only a
    delivery to this household (another household's id changes nothing)."""
    done = Delivery.objects.filter(
        pk=delivery_pk, household=household, confirmed_at__isnull=True
    ).update(confirmed_at=timezone.now())
    if done:
        audit_record(
            actor=None,
            actor_label=CITIZEN,
            action="zones.delivery_confirm",
            target=household.zone,
            changes={"delivery": delivery_pk, "household": household.pk},
        )
    return bool(done)


# --- the zone's own checkpoints ---------------------------------------------------------

CHECKPOINT_EDITOR_ROLES = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER)


def attachable_checkpoints(user, zone: Zone):
    """Active checkpoints the user may attach to the zone: in the user's jurisdiction and in
    the zone's district (a zone's checkpoint stands at its edge, not across the province)."""
    from phongdich.checkpoints.selectors import checkpoints_for

    district = zone.commune.parent
    qs = checkpoints_for(user)
    if district is not None:
        qs = qs.filter(unit__path__startswith=district.path)
    return qs.filter(zone__isnull=True).order_by("name")


@transaction.atomic
def zone_checkpoint_attach(*, by, zone: Zone, checkpoint) -> None:
    if not by.has_role(*CHECKPOINT_EDITOR_ROLES):
        raise PermissionDenied
    check_act_on_unit(by, zone.commune)
    if not attachable_checkpoints(by, zone).filter(pk=checkpoint.pk).exists():
        raise ValidationError(_("Chốt này không thuộc huyện của vùng hoặc đã gắn với vùng khác."))
    type(checkpoint).objects.filter(pk=checkpoint.pk, zone__isnull=True).update(zone=zone)
    audit_record(
        actor=by,
        action="zones.checkpoint_attach",
        target=zone,
        changes={"checkpoint": checkpoint.pk},
    )


@transaction.atomic
def zone_checkpoint_detach(*, by, zone: Zone, checkpoint) -> None:
    if not by.has_role(*CHECKPOINT_EDITOR_ROLES):
        raise PermissionDenied
    check_act_on_unit(by, zone.commune)
    done = type(checkpoint).objects.filter(pk=checkpoint.pk, zone=zone).update(zone=None)
    if done:
        audit_record(
            actor=by,
            action="zones.checkpoint_detach",
            target=zone,
            changes={"checkpoint": checkpoint.pk},
        )


# Who may run the classification for their jurisdiction from the list page (the job runs
# for the whole province).
SCAN_ROLES = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER, Role.COMMUNE_HEALTH_WORKER)
SCAN_LOCK = "zones.classification_scan"


@dataclass(frozen=True)
class ScanResult:
    reclassify: int = 0  # proposals to change a zone's class
    impose: int = 0  # class zones proposed for communes without one
    unchanged: int = 0  # areas whose computed class is their current one
    waiting: int = 0  # areas that differ but already have a pending proposal

    @property
    def created(self) -> int:
        return self.reclassify + self.impose


def _basis_reason(basis: dict, day: date) -> str:
    # Stored in Vietnamese like every typed reason; the page renders the basis itself in
    # the reader's language.
    with translation.override("vi"):
        text = "; ".join(rules.reasons(basis, classification.class_labels()))
        return f"Đề xuất từ số liệu ngày {day:%d/%m/%Y}: {text}"[:500]


@transaction.atomic
def classification_scan(
    *, by=None, root: AdminUnit | None = None, today: date | None = None
) -> ScanResult:
    """Compare each area's computed class with its current one and propose the change:
    a reclassification of a zone in force carrying a class (over its communes' figures),
    or a commune-wide class zone for a commune above green that has none. An area with a
    pending proposal is left alone (one pending proposal per zone). One scan at a time (a
    transaction lock): the daily job and an officer's button, or two clicks, never both
    see "no proposal yet" and insert twice."""
    if by is not None:
        if not by.has_role(*SCAN_ROLES) or getattr(by, "jurisdiction", None) is None:
            raise PermissionDenied
        root = by.jurisdiction
    root = root or home_province()
    if root is None:
        return ScanResult()
    key_lock(SCAN_LOCK)
    today = today or timezone.localdate()
    class_rules = thresholds.class_rules_in_force(today)
    windows = [r.window_days for r in class_rules]
    communes = {c.pk: c for c in communes_within(root)}
    zones = list(
        Zone.objects.filter(commune_id__in=list(communes), status=Zone.Status.IN_FORCE)
        .exclude(risk_class="")
        .order_by("pk")
    )
    touching = defaultdict(list)
    for zone_id, unit_id in Zone.other_communes.through.objects.filter(
        zone_id__in=[z.pk for z in zones]
    ).values_list("zone_id", "adminunit_id"):
        touching[zone_id].append(unit_id)
    extra = {u for ids in touching.values() for u in ids} - set(communes)
    populations = {pk: c.population for pk, c in communes.items()}
    if extra:
        populations.update(AdminUnit.objects.filter(pk__in=extra).values_list("pk", "population"))
    by_window = classification.figures(
        populations,
        today,
        windows,
        populations=populations,
        province="" if extra else province_of_path(root.path),
    )
    pending = set(
        ZoneProposal.objects.filter(
            zone__commune_id__in=list(communes), status=ZoneProposal.Status.PENDING
        ).values_list("zone_id", flat=True)
    )
    actor = by if getattr(by, "is_authenticated", False) else None
    counts = defaultdict(int)
    for zone in zones:
        figures_for = classification.area_figures(
            by_window, [zone.commune_id, *touching.get(zone.pk, [])]
        )
        result = rules.classify(figures_for, class_rules)
        if result.risk_class == zone.risk_class:
            counts["unchanged"] += 1
            continue
        if zone.pk in pending:
            counts["waiting"] += 1
            continue
        basis = rules.basis_of(result, figures_for, class_rules, today)
        try:
            with transaction.atomic():
                ZoneProposal.objects.create(
                    zone=zone,
                    action=ZoneProposal.Action.CLASSIFY,
                    risk_class=result.risk_class,
                    reason=_basis_reason(basis, today),
                    proposed_by=actor,
                    basis=basis,
                )
        except IntegrityError:  # an officer proposed a change of this zone meanwhile
            counts["waiting"] += 1
            continue
        audit_record(
            actor=actor,
            action="zones.proposal",
            target=zone,
            changes={"action": "classify", "risk_class": result.risk_class, "from_data": True},
        )
        counts["reclassify"] += 1
    classed = classification.class_zones(communes)
    for commune in communes.values():
        if commune.pk in classed:
            continue
        figures_for = classification.area_figures(by_window, [commune.pk])
        result = rules.classify(figures_for, class_rules)
        if result.risk_class == rules.GREEN:
            # No zone is green by default: a green commune needs no record.
            counts["unchanged"] += 1
            continue
        basis = rules.basis_of(result, figures_for, class_rules, today)
        reason = _basis_reason(basis, today)
        zone = Zone.objects.create(
            name=f"{commune.name} (phân loại nguy cơ)"[:200],
            kind=Zone.Kind.COMMUNE,
            measure=Zone.Measure.CLASS_ONLY,
            risk_class=result.risk_class,
            commune=commune,
            people_count=commune.population or 0,
            created_by=actor,
        )
        _change(zone=zone, by=actor, kind=ZoneChange.Kind.CREATED, before={}, reason=reason)
        ZoneProposal.objects.create(
            zone=zone,
            action=ZoneProposal.Action.IMPOSE,
            measure=Zone.Measure.CLASS_ONLY,
            risk_class=result.risk_class,
            reason=reason,
            proposed_by=actor,
            basis=basis,
        )
        audit_record(actor=actor, action="zones.propose", target=zone, changes=_snapshot(zone))
        counts["impose"] += 1
    result = ScanResult(**counts)
    audit_record(
        actor=actor,
        action="zones.classification_scan",
        target=root,
        changes={"day": today.isoformat(), **counts},
    )
    return result
