"""Signal receivers connecting the hotline to the F0 app (cases), when it is installed."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def on_danger_alert(sender, alert=None, case=None, **kwargs):
    """An F0's danger alert opens an emergency ticket for their commune's unit.

    Runs after the alert's transaction commits, so a failure here never rolls the alert
    back, and a rolled-back alert never opens a ticket. Idempotent per alert (source_ref).
    """
    if alert is None or case is None:
        return
    alert_id = getattr(alert, "pk", None)
    person = getattr(case, "person", None)
    transaction.on_commit(lambda: open_alert_ticket(alert_id, person, alert))


def open_alert_ticket(alert_id, person, alert) -> None:
    from .models import Channel, Ticket
    from .services import ticket_create

    source_ref = f"cases.alert:{alert_id}"
    if alert_id is not None and Ticket.objects.filter(source_ref=source_ref).exists():
        return
    # The cases app's Alert carries the danger signs found as `reasons` (texts): the agent
    # triages on them, so they go into the ticket, not just the alert's label.
    signs = [str(reason) for reason in (getattr(alert, "reasons", None) or [])]
    text = "; ".join(signs) or str(alert)
    try:
        ticket_create(
            by=None,
            channel=Channel.ALERT,
            category="emergency",
            text=f"Cảnh báo nguy hiểm F0: {text}",
            person=person,
            commune=getattr(person, "commune", None),
            source_ref=source_ref,
        )
    except Exception:  # an alert must never be lost because the hotline failed: log loudly
        logger.exception("could not open a hotline ticket for danger alert %s", alert_id)
