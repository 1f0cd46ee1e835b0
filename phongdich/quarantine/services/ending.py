"""Admission to a site, the end of a quarantine (completed, early, moved, converted to F0),
and staff changing its end date."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.text import nfc

from ..models import FollowUpItem, Place, Quarantine, QuarantineLink, Status
from .common import SITE_KINDS, _actor, _admit, _discharge, active_for


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
