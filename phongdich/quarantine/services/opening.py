"""Opening a quarantine (the one contract every source calls), by the dated policy row,
and extending an active one."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.checkpoints import rules as policy_rules
from phongdich.lib.text import nfc

from .. import policy
from ..models import Basis, Place, Quarantine
from .common import SITE_KINDS, _actor, _admit, _lock_person, active_for


def _plan(*, day, basis, person, start, doses, recovered_on, policy_key=""):
    if doses is None:
        doses = policy.doses_on_record(person, day)
    table = None
    if policy_key:
        # Staff may apply a named row (a province keeping a stricter rule, or training on
        # the 2021-2022 rules), as the checkpoints' hand-over does.
        chosen = policy_rules.policy_by_key(policy_key, policy.policies())
        if chosen is None:
            raise ValidationError(_("Quy định không tồn tại."))
        table = (chosen,)
    plan = policy.policy_on(
        day, basis, doses=doses, recovered_on=recovered_on, start=start, table=table
    )
    if plan is None:
        in_force = policy_rules.policy_on(day, table or policy.policies())
        if in_force is not None:  # the province's edited row has no group for this person
            raise ValidationError(
                _(
                    "Quy định cách ly “%(rule)s” không có nhóm áp dụng cho người này; "
                    "đề nghị quản trị hệ thống bổ sung."
                )
                % {"rule": in_force.source}
            )
        raise ValidationError(_("Chưa có quy định cách ly áp dụng cho ngày này và người này."))
    return plan


@transaction.atomic
def quarantine_open(
    *,
    by,
    person,
    basis,
    start: date,
    commune,
    place="home",
    facility=None,
    source_case=None,
    note="",
    exposure_date: date | None = None,
    doses: int | None = None,
    recovered_on: date | None = None,
    address: str = "",
    source_contact_id: int | None = None,
    handover_id: int | None = None,
    policy_key: str = "",
    monitoring_only: bool = False,
) -> tuple[Quarantine, bool]:
    """Open the person's quarantine, or return their active one: (quarantine, created).

    `start` is the day the quarantine begins; `exposure_date` the last exposure (F1) or the
    arrival (returnee), defaulting to `start`. The dated policy row in force on that day and
    the person's vaccination (the register's doses, else `doses` as declared) or recovery
    give the end date and the test days. An active quarantine is extended when the new
    plan ends later (a second exposure), never duplicated. A centralised site takes a bed
    through the facilities ledger; a full site refuses (ValidationError code "full").
    `monitoring_only`: a returnee handed over at a checkpoint whose row gives no days of
    quarantine still gets the record, for the commune to follow their self-monitoring (as the
    checkpoints' "cách ly/theo dõi tại nhà" did); anyone else is refused.
    """
    if basis not in Basis.values:
        raise ValidationError(_("Lý do cách ly không hợp lệ."))
    if place not in Place.values:
        raise ValidationError(_("Nơi cách ly không hợp lệ."))
    if place == Place.SITE and (facility is None or facility.kind not in SITE_KINDS):
        raise ValidationError({"facility": _("Hãy chọn một khu cách ly tập trung.")})
    day = exposure_date or start
    if day > start:
        raise ValidationError(_("Ngày tiếp xúc/ngày đến không thể sau ngày bắt đầu cách ly."))
    _lock_person(person)
    existing = active_for(person)
    plan = _plan(
        day=day,
        basis=basis,
        person=person,
        start=start,
        doses=doses,
        recovered_on=recovered_on,
        policy_key=policy_key,
    )
    if existing is not None:
        if plan.needs_quarantine and plan.quarantine_end > existing.planned_end:
            _extend(
                by=by,
                quarantine=existing,
                end=plan.quarantine_end,
                monitoring_end=plan.monitoring_end,
                test_dates=plan.test_dates,
                why=note,
            )
        return existing, False
    if not plan.needs_quarantine and not monitoring_only:
        raise ValidationError(
            _("Theo %(rule)s, người này không phải cách ly.") % {"rule": plan.policy.source}
        )
    quarantine = Quarantine(
        person=person,
        basis=basis,
        exposure_date=day,
        place=place,
        facility=facility if place != Place.HOME else None,
        commune=commune,
        address=nfc(address)[:200],
        policy_key=plan.policy.key,
        policy_source=plan.policy.source,
        group_label=plan.group.label,
        start_date=plan.start,
        planned_end=plan.quarantine_end,
        monitoring_end=plan.monitoring_end,
        test_dates=[d.isoformat() for d in plan.test_dates],
        source_case_id=getattr(source_case, "pk", source_case),
        source_contact_id=source_contact_id,
        handover_id=handover_id,
        note=nfc(note)[:300],
        created_by=_actor(by),
    )
    try:
        with transaction.atomic():
            quarantine.save()
    except IntegrityError:
        # Only reachable without advisory locks (the partial unique index): the other
        # request's record is the person's quarantine.
        existing = active_for(person)
        if existing is None:
            raise
        return existing, False
    if place == Place.SITE:
        _admit(by=by, quarantine=quarantine, facility=facility)
    audit_record(
        actor=by,
        action="quarantine.open",
        target=quarantine,
        changes={
            "basis": basis,
            "place": place,
            "policy": plan.policy.key,
            "end": plan.quarantine_end.isoformat(),
        },
    )
    return quarantine, True


def _extend(*, by, quarantine: Quarantine, end, monitoring_end, test_dates, why: str) -> None:
    before = quarantine.planned_end
    quarantine.planned_end = end
    quarantine.monitoring_end = max(quarantine.monitoring_end, monitoring_end)
    merged = sorted(set(quarantine.test_dates or ()) | {d.isoformat() for d in test_dates})
    quarantine.test_dates = merged
    quarantine.save(update_fields=["planned_end", "monitoring_end", "test_dates"])
    audit_record(
        actor=by,
        action="quarantine.extend",
        target=quarantine,
        changes={
            "before": before.isoformat(),
            "after": end.isoformat(),
            "reason": nfc(why)[:300],
        },
    )


def quarantine_plan_preview(
    *,
    person,
    basis: str,
    start: date,
    exposure_date: date | None = None,
    doses: int | None = None,
    recovered_on: date | None = None,
):
    """The plan `quarantine_open` would apply (the dated row, the group, the dates), for the
    staff form to show with the row's source before anything is written. `person` may be
    None (not registered yet): the doses are then as declared."""
    day = exposure_date or start
    if day > start:
        raise ValidationError(_("Ngày tiếp xúc/ngày đến không thể sau ngày bắt đầu cách ly."))
    if doses is None and person is not None:
        doses = policy.doses_on_record(person, day)
    plan = policy.policy_on(day, basis, doses=doses, recovered_on=recovered_on, start=start)
    if plan is None:
        raise ValidationError(_("Chưa có quy định cách ly áp dụng cho ngày này và người này."))
    return plan


@transaction.atomic
def quarantine_open_staff(
    *,
    by,
    person=None,
    person_data: dict | None = None,
    force_new: bool = False,
    planned_end: date | None = None,
    reason: str = "",
    **values,
) -> tuple[Quarantine, bool]:
    """A quarantine opened from scratch on the staff form: the person found or registered
    through the people registry (`person_register`: a strong match inside the jurisdiction is
    reused, one elsewhere is referred), the plan from the dated row, and, when staff shorten
    or extend it, the new end with its reason. One transaction: a refused plan registers
    nobody. Two officers submitting it at once make one person and one quarantine (the
    registry's match-key lock, then the person's)."""
    from phongdich.people.services import person_register

    if planned_end is not None and not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do rút ngắn hoặc kéo dài.")})
    if person is None:
        person, _created = person_register(by=by, force_new=force_new, **(person_data or {}))
    quarantine, created = quarantine_open(by=by, person=person, **values)
    if created and planned_end is not None and planned_end != quarantine.planned_end:
        from .ending import quarantine_change_end

        quarantine = quarantine_change_end(
            by=by, quarantine=quarantine, planned_end=planned_end, reason=reason
        )
    return quarantine, created
