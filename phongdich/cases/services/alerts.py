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
    TransferNeed,
    TreatmentPlace,
)
from ..signals import alert_handled
from ._common import _refresh_alert_counters
from .transfer_need import NOT_A_HOSPITAL, transfer_need_raise

_ALERT_MOVES = {
    "acknowledge": ((Alert.Status.OPEN,), Alert.Status.ACKNOWLEDGED),
    "resolve": (Alert.OPEN_STATES, Alert.Status.RESOLVED),
    "escalate": (Alert.OPEN_STATES, Alert.Status.ESCALATED),
}
# Outcomes the care team may choose when closing an alert by hand ("transferred" only once
# the transfer itself is recorded; case_transfer sets it when it closes the alert).
RESOLVE_OUTCOMES = (
    Alert.Outcome.CALLED,
    Alert.Outcome.ADVISED,
    Alert.Outcome.TRANSFERRED,
    Alert.Outcome.FALSE_READING,
)
ALREADY_HANDLED = _("Cảnh báo này đã được người khác xử lý.")


def _check_resolution(alert: Alert, outcome: str, note: str) -> None:
    """A danger alert is closed with what was done and a note; a no-contact alert may be
    closed with a note alone (the F0 answered the phone)."""
    errors = {}
    if alert.kind == Alert.Kind.DANGER:
        if outcome not in RESOLVE_OUTCOMES:
            errors["outcome"] = _("Cần chọn kết quả xử lý cảnh báo nguy hiểm.")
        if not note.strip():
            errors["note"] = _("Cần ghi chú đã làm gì với cảnh báo nguy hiểm.")
    elif outcome and outcome not in RESOLVE_OUTCOMES:
        errors["outcome"] = _("Kết quả xử lý không hợp lệ.")
    if outcome == Alert.Outcome.TRANSFERRED and alert.case.treatment_place in NOT_A_HOSPITAL:
        errors["outcome"] = _(
            "F0 vẫn đang điều trị tại nhà/khu cách ly: hãy ghi nhận chuyển tuyến "
            "(chọn cơ sở) thay vì đóng cảnh báo."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def alert_move(*, by, alert: Alert, action: str, note: str = "", outcome: str = "") -> Alert:
    """open → acknowledged → resolved / escalated. A guarded UPDATE, so two care-team
    members pressing at once make one move and the second is told it already happened.

    Resolving a danger alert needs an outcome and a note. Escalating puts the F0 in the
    queue's "Cần chuyển tuyến" until a transfer (or an override with a reason) is recorded.
    The linked hotline ticket moves with it (signals.alert_handled, same transaction)."""
    if action not in _ALERT_MOVES:
        raise ValueError(action)
    allowed, target = _ALERT_MOVES[action]
    note = (note or "").strip()[:500]
    if action == "resolve":
        _check_resolution(alert, outcome, note)
    now = timezone.now()
    values = {"status": target, "handled_by": by}
    if target == Alert.Status.ACKNOWLEDGED:
        values["acknowledged_at"] = now
    else:
        values["closed_at"] = now
        values["note"] = note
        values["outcome"] = outcome if action == "resolve" else ""
    moved = Alert.objects.filter(pk=alert.pk, status__in=allowed).update(**values)
    if not moved:
        raise ValidationError(ALREADY_HANDLED, code="handled")
    alert.refresh_from_db()
    _refresh_alert_counters(alert.case)
    if action == "escalate":
        transfer_need_raise(
            by=by, case=alert.case, need=TransferNeed.ALERT, note="; ".join(alert.reasons)
        )
    audit_record(
        actor=by,
        action=f"cases.alert_{action}",
        target=alert.case,
        changes={"alert": alert.pk, "outcome": alert.outcome, "note": note},
    )
    alert_handled.send(sender=Alert, alert=alert, by=by, action=action)
    return alert


@transaction.atomic
def alert_note_from_ticket(*, by, alert_id: int, ticket_id: int, note: str) -> Alert | None:
    """Contract for the hotline: the agent resolved the ticket opened for this alert. The
    clinical outcome is the care team's to record, so the alert is not closed; it is marked
    received by the agent (if still new) and carries the agent's note, so the care team sees
    what was done. Returns the alert, or None if it is gone."""
    alert = Alert.objects.select_related("case").filter(pk=alert_id).first()
    if alert is None or not alert.is_open:
        return alert
    text = (_("Tổng đài (phiếu #%(ticket)d): %(note)s") % {"ticket": ticket_id, "note": note})[:500]
    values = {"note": text}
    if alert.status == Alert.Status.OPEN:
        values.update(
            status=Alert.Status.ACKNOWLEDGED, acknowledged_at=timezone.now(), handled_by=by
        )
    Alert.objects.filter(pk=alert.pk, status__in=Alert.OPEN_STATES).update(**values)
    alert.refresh_from_db()
    audit_record(
        actor=by,
        action="cases.alert_ticket_resolved",
        target=alert.case,
        changes={"alert": alert.pk, "ticket": ticket_id},
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
