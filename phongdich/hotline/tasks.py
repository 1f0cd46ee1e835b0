"""Background jobs of the hotline (django-tasks): delivery, notifications, escalation."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from phongdich.lib.urls import absolute_url

from . import services
from .models import Ticket


@task()
def deliver_message(message_id: int) -> str:
    return services.message_deliver(message_id=message_id).delivery_status


def _ticket_url(ticket_id: int) -> str:
    return absolute_url(reverse("hotline:ticket", args=[ticket_id]))


@task()
def notify_unit(ticket_id: int) -> int:
    """Tell the unit's focal points a ticket arrived. No personal data in the email body:
    only the branch, priority and a link staff open after logging in."""
    ticket = Ticket.objects.select_related("assigned_unit", "category").get(pk=ticket_id)
    recipients = services.unit_recipients(ticket.assigned_unit)
    if not recipients:
        return 0
    send_mail(
        f"[1022] {ticket.priority} #{ticket.pk} · {ticket.category.name}",
        f"Phiếu mới chuyển đến {ticket.assigned_unit.name}.\n{_ticket_url(ticket.pk)}",
        None,
        recipients,
    )
    return len(recipients)


@task()
def notify_escalation(ticket_id: int) -> int:
    ticket = Ticket.objects.select_related("assigned_unit", "category").get(pk=ticket_id)
    recipients = services.unit_recipients(ticket.assigned_unit) + list(
        getattr(settings, "HOTLINE_SUPERVISOR_EMAILS", [])
    )
    if not recipients:
        return 0
    send_mail(
        f"[1022] QUÁ HẠN {ticket.priority} #{ticket.pk} · {ticket.category.name}",
        f"Phiếu đã quá thời hạn xử lý.\n{_ticket_url(ticket.pk)}",
        None,
        sorted(set(recipients)),
    )
    return len(recipients)


@task()
def escalate_overdue() -> int:
    return services.ticket_escalate_overdue()


@task()
def refresh_oversight() -> int:
    return services.oversight_refresh()
