"""The care team's moves on alerts, and the periodic scan for F0s who stopped reporting."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from ..models import (
    Alert,
    Case,
    CaseStatus,
    TreatmentPlace,
)
from ._common import _refresh_alert_counters

_ALERT_MOVES = {
    "acknowledge": ((Alert.Status.OPEN,), Alert.Status.ACKNOWLEDGED),
    "resolve": (Alert.OPEN_STATES, Alert.Status.RESOLVED),
    "escalate": (Alert.OPEN_STATES, Alert.Status.ESCALATED),
}


@transaction.atomic
def alert_move(*, by, alert: Alert, action: str, note: str = "") -> Alert:
    """open → acknowledged → resolved / escalated. A guarded UPDATE, so two care-team
    members pressing at once make one move and the second is told it already happened."""
    if action not in _ALERT_MOVES:
        raise ValueError(action)
    allowed, target = _ALERT_MOVES[action]
    now = timezone.now()
    values = {"status": target, "handled_by": by}
    if target == Alert.Status.ACKNOWLEDGED:
        values["acknowledged_at"] = now
    else:
        values["closed_at"] = now
        values["note"] = note[:500]
    moved = Alert.objects.filter(pk=alert.pk, status__in=allowed).update(**values)
    if not moved:
        raise ValidationError(_("Cảnh báo này đã được người khác xử lý."))
    alert.refresh_from_db()
    _refresh_alert_counters(alert.case)
    audit_record(
        actor=by, action=f"cases.alert_{action}", target=alert.case, changes={"alert": alert.pk}
    )
    return alert


def no_contact_gap() -> timedelta:
    return timedelta(hours=getattr(settings, "CASES_NO_CONTACT_HOURS", 14))


@transaction.atomic
def alerts_scan_no_contact(*, now: datetime | None = None, gap: timedelta | None = None) -> int:
    """Raise a "no contact" alert for every active F0 at home whose last check (or
    registration) is older than the gap and who has no such alert open. Returns how many."""
    now = now or timezone.now()
    cutoff = now - (gap or no_contact_gap())
    already = Alert.objects.filter(kind=Alert.Kind.NO_CONTACT, status__in=Alert.OPEN_STATES).values(
        "case_id"
    )
    silent_ids = list(
        Case.objects.filter(
            status=CaseStatus.ACTIVE,
            treatment_place__in=(TreatmentPlace.HOME, TreatmentPlace.ISOLATION),
        )
        .filter(Q(last_check_at__lt=cutoff) | Q(last_check_at__isnull=True, created_at__lt=cutoff))
        .exclude(pk__in=already)
        .values_list("pk", flat=True)
    )
    if not silent_ids:
        return 0
    reason = _("Không gửi phiếu theo dõi quá %(hours)d giờ") % {
        "hours": int((gap or no_contact_gap()).total_seconds() // 3600)
    }
    for start in range(0, len(silent_ids), 1000):
        chunk = silent_ids[start : start + 1000]
        Alert.objects.bulk_create(
            [Alert(case_id=pk, kind=Alert.Kind.NO_CONTACT, reasons=[reason]) for pk in chunk]
        )
        Case.objects.filter(pk__in=chunk).update(open_alerts=F("open_alerts") + 1)
    audit_record(actor=None, action="cases.no_contact_scan", changes={"alerts": len(silent_ids)})
    return len(silent_ids)
