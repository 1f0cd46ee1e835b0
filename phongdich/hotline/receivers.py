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
    # The agent triages on the danger signs found, so the ticket names them (in Vietnamese,
    # as the cases app worded them), with the F0 and their commune and district.
    signs = [str(reason) for reason in (getattr(alert, "reasons", None) or [])]
    commune = getattr(person, "commune", None)
    place = f" ({commune.label()})" if commune is not None else ""
    who = f"{getattr(person, 'full_name', '')}{place}".strip()
    text = (
        f"Cảnh báo dấu hiệu nguy hiểm của F0 {who}. "
        f"Dấu hiệu: {'; '.join(signs) or str(alert)}. "
        "Đội chăm sóc F0 của xã đã nhận cảnh báo; phiếu này đóng cùng cảnh báo."
    )
    try:
        ticket_create(
            by=None,
            channel=Channel.ALERT,
            category="emergency",
            text=text,
            person=person,
            commune=commune,
            source_ref=source_ref,
            alert_id=_linkable(alert_id),
        )
    except Exception:  # an alert must never be lost because the hotline failed: log loudly
        logger.exception("could not open a hotline ticket for danger alert %s", alert_id)


def _linkable(alert_id) -> int | None:
    """The alert's id for the ticket's foreign key, if that alert row exists (the cases app
    may be absent, or a caller may describe an alert that was never stored)."""
    from django.apps import apps

    if alert_id is None or not apps.is_installed("phongdich.cases"):
        return None
    model = apps.get_model("cases", "Alert")
    return alert_id if model.objects.filter(pk=alert_id).exists() else None
