"""Writes on quarantine records: opening (the one contract every source calls), admission
to and discharge from a centralised site, daily checks, follow-up items, changing the end
date, release, and conversion to F0."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.checkpoints import rules as policy_rules
from phongdich.checkpoints.rules import check_needs_attention
from phongdich.checkpoints.services import CITIZEN, SYMPTOMS
from phongdich.lib import idempotency
from phongdich.lib.locks import key_lock
from phongdich.lib.text import nfc

from . import policy
from .models import Basis, DailyCheck, FollowUpItem, Place, Quarantine, QuarantineLink, Status

SITE_KINDS = ("quarantine",)  # facilities.Facility.Kind.QUARANTINE_SITE
# A day without a check counts as missed from this hour of the next day (Asia/Ho_Chi_Minh).
CHECK_GRACE_HOURS = 10


def _actor(by):
    return by if getattr(by, "is_authenticated", False) else None


def _lock_person(person) -> None:
    # "At most one active per person" is check-then-insert: two officers opening a
    # quarantine for the same person wait on this key; the partial unique constraint is
    # the backstop on a database without advisory locks.
    key_lock(f"quarantine.person:{person.pk}")


def active_for(person) -> Quarantine | None:
    return Quarantine.objects.filter(person=person, status=Status.ACTIVE).first()


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
) -> tuple[Quarantine, bool]:
    """Open the person's quarantine, or return their active one: (quarantine, created).

    `start` is the day the quarantine begins; `exposure_date` the last exposure (F1) or the
    arrival (returnee), defaulting to `start`. The dated policy row in force on that day and
    the person's vaccination (the register's doses, else `doses` as declared) or recovery
    give the end date and the test days. An active quarantine is extended when the new
    plan ends later (a second exposure), never duplicated. A centralised site takes a bed
    through the facilities ledger; a full site refuses (ValidationError code "full").
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
    if not plan.needs_quarantine:
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


def _admit(*, by, quarantine: Quarantine, facility) -> None:
    from phongdich.facilities.services import facility_occupy

    # The guarded UPDATE in facility_occupy is the capacity check: of two officers taking the
    # last bed, one gets ValidationError("full") and its whole transaction rolls back.
    stays = facility_occupy(by=by, facility=facility, delta=1, patient_ref=f"CL-{quarantine.pk}")
    quarantine.stay = stays[0]
    quarantine.save(update_fields=["stay"])


def _discharge(*, by, quarantine: Quarantine) -> None:
    from phongdich.facilities.models import Stay
    from phongdich.facilities.services import stay_discharge

    if quarantine.stay_id is None:
        return
    stay = Stay.objects.get(pk=quarantine.stay_id)
    if stay.discharged_at is None:
        stay_discharge(by=by, stay=stay)


@transaction.atomic
def quarantine_admit(*, by, quarantine: Quarantine, facility) -> Quarantine:
    """Move an active quarantine into a centralised site (takes a bed; frees any earlier)."""
    if facility is None or facility.kind not in SITE_KINDS:
        raise ValidationError({"facility": _("Hãy chọn một khu cách ly tập trung.")})
    locked = Quarantine.objects.select_for_update().get(pk=quarantine.pk)
    if locked.status != Status.ACTIVE:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    if locked.facility_id == facility.pk and locked.stay_id is not None:
        return locked
    _discharge(by=by, quarantine=locked)
    locked.place, locked.facility = Place.SITE, facility
    locked.save(update_fields=["place", "facility"])
    _admit(by=by, quarantine=locked, facility=facility)
    audit_record(actor=by, action="quarantine.admit", target=locked, changes={"site": facility.pk})
    return locked


def _end(*, by, quarantine: Quarantine, status: str, reason: str = "", **extra) -> Quarantine:
    # Guarded update: a double click or a racing conversion ends a quarantine once.
    updated = Quarantine.objects.filter(pk=quarantine.pk, status=Status.ACTIVE).update(
        status=status,
        ended_at=timezone.now(),
        ended_by=_actor(by),
        end_reason=nfc(reason)[:300],
        **extra,
    )
    if not updated:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    quarantine.refresh_from_db()
    _discharge(by=by, quarantine=quarantine)
    FollowUpItem.objects.filter(quarantine=quarantine, done_at__isnull=True).update(
        done_at=timezone.now()
    )
    QuarantineLink.objects.filter(quarantine=quarantine, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return quarantine


@transaction.atomic
def quarantine_complete(*, by, quarantine: Quarantine, today: date | None = None) -> Quarantine:
    """Release at the end date (the certificate of completion is then printable)."""
    today = today or timezone.localdate()
    if today < quarantine.planned_end:
        raise ValidationError(
            _("Chưa đến ngày kết thúc (%(day)s); hãy dùng “kết thúc sớm” và ghi lý do.")
            % {"day": quarantine.planned_end.strftime("%d/%m/%Y")}
        )
    _end(by=by, quarantine=quarantine, status=Status.COMPLETED)
    audit_record(actor=by, action="quarantine.complete", target=quarantine)
    return quarantine


@transaction.atomic
def quarantine_release_early(*, by, quarantine: Quarantine, reason: str) -> Quarantine:
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do.")})
    _end(by=by, quarantine=quarantine, status=Status.RELEASED_EARLY, reason=reason)
    audit_record(
        actor=by, action="quarantine.release_early", target=quarantine, changes={"reason": reason}
    )
    return quarantine


@transaction.atomic
def quarantine_move(*, by, quarantine: Quarantine, reason: str) -> Quarantine:
    """The person left for another province/commune that takes over their quarantine."""
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do.")})
    _end(by=by, quarantine=quarantine, status=Status.MOVED, reason=reason)
    audit_record(actor=by, action="quarantine.move", target=quarantine, changes={"reason": reason})
    return quarantine


@transaction.atomic
def quarantine_change_end(
    *, by, quarantine: Quarantine, planned_end: date, reason: str
) -> Quarantine:
    """Staff shorten or extend a quarantine, with a reason (the audit keeps both dates)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do.")})
    if planned_end < quarantine.start_date:
        raise ValidationError({"planned_end": _("Ngày kết thúc trước ngày bắt đầu.")})
    locked = Quarantine.objects.select_for_update().get(pk=quarantine.pk)
    if locked.status != Status.ACTIVE:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    before = locked.planned_end
    shift = planned_end - before
    locked.planned_end = planned_end
    locked.monitoring_end = max(locked.monitoring_end + shift, planned_end)
    locked.save(update_fields=["planned_end", "monitoring_end"])
    audit_record(
        actor=by,
        action="quarantine.change_end",
        target=locked,
        changes={
            "before": before.isoformat(),
            "after": planned_end.isoformat(),
            "reason": nfc(reason)[:300],
        },
    )
    return locked


@transaction.atomic
def quarantine_convert(*, by, person, case) -> Quarantine | None:
    """The person's active quarantine becomes "converted to F0" (called by the cases app when
    it registers a case). Returns it, or None when the person was not in quarantine."""
    quarantine = active_for(person)
    if quarantine is None:
        return None
    _end(
        by=by,
        quarantine=quarantine,
        status=Status.CONVERTED,
        reason=_("Xác định là F0"),
        converted_case_id=case.pk,
    )
    audit_record(
        actor=by, action="quarantine.convert", target=quarantine, changes={"case": case.pk}
    )
    return quarantine


@idempotency.submitted_once(DailyCheck)
@transaction.atomic
def quarantine_check_record(
    *,
    by=None,
    quarantine: Quarantine,
    temperature=None,
    symptoms=(),
    note="",
    submission: idempotency.Submission | None = None,
) -> DailyCheck:
    """A daily symptom check, by the citizen through the personal link or by staff."""
    if quarantine.status != Status.ACTIVE:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    check = DailyCheck.objects.create(
        quarantine=quarantine,
        temperature=temperature,
        symptoms=[s for s in symptoms if s in SYMPTOMS],
        note=nfc(note)[:300],
        by=_actor(by),
        **idempotency.fields(submission),
    )
    fields = {"last_check_at": check.at}
    temp = float(temperature) if temperature is not None else None
    if check_needs_attention(temperature=temp, symptoms=check.symptoms):
        fields.update(attention_at=check.at, attention_reason=_("Sốt hoặc khó thở"))
    Quarantine.objects.filter(pk=quarantine.pk).update(**fields)
    for key, value in fields.items():
        setattr(quarantine, key, value)
    FollowUpItem.objects.filter(
        quarantine=quarantine,
        kind=FollowUpItem.Kind.MISSED_CHECK,
        day__gte=timezone.localtime(check.at).date() - timedelta(days=1),
        done_at__isnull=True,
    ).update(done_at=check.at)
    audit_record(
        actor=by,
        actor_label="" if _actor(by) else CITIZEN,
        action="quarantine.check",
        target=quarantine,
        changes={"symptoms": check.symptoms},
    )
    return check


@transaction.atomic
def quarantine_link_mint(*, by, quarantine: Quarantine) -> str:
    days = (quarantine.planned_end - timezone.localdate()).days + 2
    _link, raw = QuarantineLink.mint(valid_for=timedelta(days=max(days, 1)), quarantine=quarantine)
    audit_record(actor=by, action="quarantine.link", target=quarantine)
    return raw


@transaction.atomic
def follow_up_done(*, by, item: FollowUpItem) -> FollowUpItem:
    if FollowUpItem.objects.filter(pk=item.pk, done_at__isnull=True).update(done_at=timezone.now()):
        audit_record(
            actor=by,
            action="quarantine.follow_up_done",
            target=item.quarantine,
            changes={"kind": item.kind, "day": item.day.isoformat()},
        )
    item.refresh_from_db()
    return item


def scan_follow_up(*, now: datetime | None = None) -> dict:
    """The hourly scan: for each active quarantine, a missed check for yesterday (no check
    since yesterday's start, once today's grace hour has passed) and a test due today or
    earlier. Items are unique per quarantine, kind and day, so reruns add nothing."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    yesterday = today - timedelta(days=1)
    yesterday_start = timezone.make_aware(datetime.combine(yesterday, time.min))
    items = []
    active = Quarantine.objects.filter(status=Status.ACTIVE).only(
        "pk", "start_date", "planned_end", "test_dates", "last_check_at"
    )
    for quarantine in active.iterator(chunk_size=2000):
        if (
            now.hour >= CHECK_GRACE_HOURS
            and quarantine.start_date <= yesterday <= quarantine.planned_end
            and (quarantine.last_check_at is None or quarantine.last_check_at < yesterday_start)
        ):
            items.append(
                FollowUpItem(quarantine_id=quarantine.pk, kind="missed_check", day=yesterday)
            )
        for day in quarantine.test_days:
            if day <= today and day >= today - timedelta(days=1):
                items.append(FollowUpItem(quarantine_id=quarantine.pk, kind="test_due", day=day))
    with transaction.atomic():
        # bulk_create with ignore_conflicts returns every object, inserted or not: count.
        recent = FollowUpItem.objects.filter(day__gte=yesterday)
        before = recent.count()
        FollowUpItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=1000)
        created = recent.count() - before
        flagged = {item.quarantine_id for item in items}
        if flagged:
            Quarantine.objects.filter(pk__in=flagged, attention_at__isnull=True).update(
                attention_at=now, attention_reason=_("Chưa báo cáo hoặc đến ngày xét nghiệm")
            )
    return {"candidates": len(items), "created": created}


# --- returnees handed over at a checkpoint ---------------------------------------------------
# checkpoints keeps its HomeQuarantine pages; each one also opens the person's Quarantine
# here with the same plan, so a returnee and a traced F1 end up with the same kind of record.


@transaction.atomic
def quarantine_from_checkpoint(*, by, home) -> tuple[Quarantine, bool]:
    """Mirror a checkpoints HomeQuarantine (already planned by the same policy rows) as the
    person's Quarantine, or return / extend their active one."""
    _lock_person(home.person)
    existing = active_for(home.person)
    if existing is not None:
        if home.end_date > existing.planned_end:
            _extend(
                by=by,
                quarantine=existing,
                end=home.end_date,
                monitoring_end=home.monitoring_end,
                test_dates=home_test_dates(home),
                why=_("Bàn giao từ chốt"),
            )
        return existing, False
    quarantine = Quarantine.objects.create(
        person=home.person,
        basis=Basis.RETURNEE,
        exposure_date=home.start_date,
        place=Place.HOME,
        commune=home.commune,
        address=home.address,
        policy_key=home.policy_key,
        policy_source=home.policy_source,
        group_label=home.group_label,
        start_date=home.start_date,
        planned_end=home.end_date,
        monitoring_end=home.monitoring_end,
        test_dates=list(home.test_dates or []),
        handover_id=home.handover_id,
        created_by=_actor(by),
    )
    audit_record(
        actor=by,
        action="quarantine.open",
        target=quarantine,
        changes={"basis": Basis.RETURNEE, "place": Place.HOME, "handover": home.handover_id},
    )
    return quarantine, True


def home_test_dates(home) -> tuple[date, ...]:
    days = []
    for value in home.test_dates or ():
        try:
            days.append(date.fromisoformat(value))
        except (TypeError, ValueError):
            continue
    return tuple(days)


def checkpoint_check_seen(*, home, at, attention: bool) -> None:
    """A daily check on the checkpoints' link counts for the mirrored record too, so the
    hourly scan does not flag a returnee who reports there."""
    fields = {"last_check_at": at}
    if attention:
        fields.update(attention_at=at, attention_reason=_("Sốt hoặc khó thở"))
    Quarantine.objects.filter(
        person_id=home.person_id, status=Status.ACTIVE, handover_id=home.handover_id
    ).update(**fields)


def checkpoint_released(*, by, home) -> None:
    """The commune released the checkpoints' home quarantine: end the mirrored record."""
    quarantine = Quarantine.objects.filter(
        person_id=home.person_id, status=Status.ACTIVE, handover_id=home.handover_id
    ).first()
    if quarantine is None:
        return
    done = timezone.localdate() >= quarantine.planned_end
    _end(
        by=by,
        quarantine=quarantine,
        status=Status.COMPLETED if done else Status.RELEASED_EARLY,
        reason="" if done else _("Xã kết thúc cách ly tại nhà"),
    )
    audit_record(
        actor=by,
        action="quarantine.complete" if done else "quarantine.release_early",
        target=quarantine,
    )
