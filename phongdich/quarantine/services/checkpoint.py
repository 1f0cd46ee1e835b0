"""Returnees handed over at a checkpoint."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from ..models import Basis, Place, Quarantine, Status
from .common import _actor, _lock_person, active_for
from .ending import _end
from .opening import _extend

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
