"""One event, one piece of work: the emergency ticket opened for an F0 danger alert and the
alert itself move together.

- The care team receives the alert: the ticket is claimed by that member (if nobody at the
  desk holds it), with an event, so the desk does not call the same F0 a second time.
- The care team closes the alert (outcome, note) or transfers the F0: the ticket is resolved
  with an event naming the outcome; if it was resolved already, the outcome is noted on it.
- The desk resolves the ticket: the alert is marked received with the agent's note
  (cases.services.alert_note_from_ticket); the clinical outcome stays the care team's.

The cases app is optional to the hotline: it is reached only through its signal and its
contract function, looked up at call time.
"""

import logging

from django.apps import apps
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from ..models import OPEN_STATUSES, Status, Ticket, TicketEvent
from .tickets import _event

logger = logging.getLogger(__name__)


def _outcome_text(alert) -> str:
    label = alert.get_outcome_display() if getattr(alert, "outcome", "") else ""
    parts = [str(p) for p in (label, getattr(alert, "note", "")) if p]
    return " — ".join(parts)


def on_alert_handled(sender, alert=None, by=None, action="", **kwargs) -> None:
    """Receiver of cases.signals.alert_handled; runs inside the alert's transaction."""
    ticket = Ticket.objects.select_for_update().filter(alert_id=getattr(alert, "pk", None)).first()
    if ticket is None:
        return
    actor = by if getattr(by, "is_authenticated", False) else None
    now = timezone.now()
    if action == "acknowledge":
        if ticket.is_open and ticket.claimed_by_id is None and actor is not None:
            Ticket.objects.filter(pk=ticket.pk).update(
                claimed_by=actor,
                claimed_at=now,
                status=Status.CLAIMED,
                first_response_at=ticket.first_response_at or now,
                version=F("version") + 1,
                updated_at=now,
            )
            _event(
                ticket, TicketEvent.Kind.CLAIM, actor, _("Đội chăm sóc F0 đã tiếp nhận cảnh báo")
            )
        else:
            _event(ticket, TicketEvent.Kind.NOTE, actor, _("Đội chăm sóc F0 đã tiếp nhận cảnh báo"))
        audit_record(
            actor=actor,
            action="hotline.ticket_alert_acknowledged",
            target=ticket,
            changes={"alert": alert.pk},
        )
        return
    if action == "escalate":
        note = _("Đội chăm sóc F0 đã chuyển tuyến; chờ ghi nhận nơi chuyển đến")
    elif action == "transfer":
        note = _("Đã chuyển tuyến F0: %(what)s") % {"what": _outcome_text(alert)}
    else:
        note = _("Cảnh báo đã được đội chăm sóc F0 xử lý: %(what)s") % {
            "what": _outcome_text(alert)
        }
    if ticket.status in OPEN_STATUSES:
        Ticket.objects.filter(pk=ticket.pk, status__in=OPEN_STATUSES).update(
            status=Status.RESOLVED,
            resolved_at=now,
            first_response_at=ticket.first_response_at or now,
            version=F("version") + 1,
            updated_at=now,
        )
        _event(ticket, TicketEvent.Kind.RESOLVE, actor, note)
        audit_record(
            actor=actor,
            action="hotline.ticket_resolve_by_alert",
            target=ticket,
            changes={"alert": alert.pk, "alert_action": action},
        )
    else:
        _event(ticket, TicketEvent.Kind.NOTE, actor, note)


def alert_follow_ticket(*, by, ticket: Ticket, note: str) -> None:
    """The desk resolved or closed a ticket opened for an alert: tell the alert (same
    transaction as the ticket's move)."""
    if not ticket.alert_id or not apps.is_installed("phongdich.cases"):
        return
    from phongdich.cases.services import alert_note_from_ticket

    alert_note_from_ticket(
        by=by, alert_id=ticket.alert_id, ticket_id=ticket.pk, note=note or _("đã giải quyết")
    )
