"""The citizen's side of a conversation: replies through the personal link, inbound SMS/chat
from the gateways (a retried webhook delivers once), and sending staff replies out.
"""

import hashlib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.identity import normalize_phone
from phongdich.lib.text import nfc

from ..models import (
    Channel,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketMessage,
)
from .tickets import _event, ticket_create


def _citizen_message(
    ticket: Ticket,
    body: str,
    channel: str,
    external_id: str = "",
    submission: idempotency.Submission | None = None,
):
    """Append the citizen's message; a waiting or resolved ticket comes back to staff."""
    body = nfc(body)[:4000]
    if not body:
        raise ValidationError({"body": _("Cần nội dung.")})
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket,
        direction=TicketMessage.Direction.IN,
        body=body,
        channel=channel,
        external_id=external_id[:100],
        created_at=now,
        **idempotency.fields(submission),
    )
    # The citizen's word never fails on a version clash: bump the version unconditionally so
    # any staff form opened before this message must reload and see it.
    reopen = ticket.status in (Status.WAITING, Status.RESOLVED)
    new_status = (Status.CLAIMED if ticket.claimed_by_id else Status.NEW) if reopen else None
    updates = {"version": F("version") + 1, "updated_at": now}
    if new_status:
        updates["status"] = new_status
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    ticket.refresh_from_db()
    _event(ticket, TicketEvent.Kind.REOPEN if reopen else TicketEvent.Kind.CITIZEN, None)
    audit_record(
        actor=None,
        action="hotline.citizen_message",
        target=ticket,
        changes={"message": message.pk, "channel": channel},
        actor_label="người dân",
    )
    return message


@idempotency.submitted_once(TicketMessage)
@transaction.atomic
def ticket_citizen_reply(
    *, link: TicketLink, body: str, submission: idempotency.Submission | None = None
) -> TicketMessage:
    ticket = Ticket.objects.select_for_update().get(pk=link.ticket_id)
    if ticket.status == Status.CLOSED:
        raise ValidationError(_("Phiếu đã đóng. Hãy gọi 1022 hoặc gửi phản ánh mới."))
    return _citizen_message(ticket, body, Channel.WEB, submission=submission)


INBOUND_THREAD_DAYS = 7


@transaction.atomic
def ticket_inbound(*, channel: str, phone: str, text: str, external_id: str = "") -> Ticket:
    """An SMS/chat message from a citizen: continue their open ticket or open a new one."""
    if channel not in (Channel.SMS, Channel.CHAT):
        raise ValidationError({"channel": _("Kênh không hợp lệ.")})
    phone = normalize_phone(phone)
    submission = _gateway_submission(channel, external_id, phone, text)
    if submission is not None:
        # A gateway retrying a webhook it thinks was lost: the first delivery may have
        # opened a ticket (the key is on the ticket) or continued one (on the message).
        opened = idempotency.earlier(Ticket, submission)
        if opened is not None:
            return opened
    since = timezone.now() - timedelta(days=INBOUND_THREAD_DAYS)
    ticket = (
        Ticket.objects.select_for_update()
        .filter(caller_phone=phone, channel=channel, created_at__gte=since)
        .exclude(status=Status.CLOSED)
        .order_by("-created_at")
        .first()
    )
    if ticket is None:
        return ticket_create(
            by=None,
            channel=channel,
            category="other",
            text=text,
            caller_phone=phone,
            source_ref=f"{channel}:{external_id}" if external_id else "",
            submission=submission,
        )
    idempotency.submit_once(
        TicketMessage,
        submission,
        lambda: _citizen_message(ticket, text, channel, external_id, submission=submission),
    )
    return ticket


def _gateway_submission(channel, external_id, phone, text) -> idempotency.Submission | None:
    """A gateway's message id names one delivery; retries of the webhook carry it again."""
    if not external_id:
        return None
    digest = hashlib.sha256(f"{channel}:{external_id}".encode()).hexdigest()[:40]
    return idempotency.Submission(
        key=f"gateway:{digest}",
        fingerprint=hashlib.sha256(f"{phone}\n{text}".encode()).hexdigest(),
    )


@transaction.atomic
def message_deliver(*, message_id: int) -> TicketMessage:
    """Send one staff reply through the configured gateway and record the outcome."""
    from ..gateways import GatewayError, get_gateway

    # Only the message's row is locked (it is what "never send twice" needs): the send may
    # wait out the gateway's timeout, and locking the joined ticket as well froze it for
    # that long (the agents' notes, the citizen's reply, every UPDATE of the ticket).
    message = (
        TicketMessage.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .get(pk=message_id)
    )
    if message.internal or message.delivery_status != TicketMessage.Delivery.QUEUED:
        return message  # never send a note; never send twice
    try:
        external = get_gateway().send(
            message.ticket.caller_phone,
            message.body,
            channel=message.channel,
            reference=f"1022-{message.ticket_id}",
        )
    except GatewayError as exc:
        message.delivery_status = TicketMessage.Delivery.FAILED
        message.delivery_error = str(exc)[:255]
    else:
        message.delivery_status = TicketMessage.Delivery.SENT
        message.external_id = external[:100]
    message.save(update_fields=["delivery_status", "delivery_error", "external_id"])
    return message
