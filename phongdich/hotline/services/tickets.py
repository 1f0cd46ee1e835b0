"""A ticket's life at the desk: opened (triage, SLA due time, routing), claimed, released,
forwarded, reassigned, answered, resolved, closed, and escalated when its SLA runs out.
Every staff move is a guarded UPDATE on the ticket's version, so two agents never
overwrite each other.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_event, audit_record
from phongdich.lib import idempotency
from phongdich.lib.identity import normalize_phone
from phongdich.lib.query import write_together
from phongdich.lib.text import nfc

from .. import rules
from ..models import (
    OPEN_STATUSES,
    Category,
    Channel,
    ResponsibleUnit,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketMessage,
)
from ..selectors import case_summary
from .tables import desk_tables, routes_for, unit_has_recipients

logger = logging.getLogger(__name__)

LINK_VALID_FOR = timedelta(days=30)
DEFAULT_SLA_MINUTES = {"P1": 15, "P2": 120, "P3": 24 * 60, "P4": 72 * 60}
# Channels on which a staff reply is sent out through the SMS/chat gateway.
GATEWAY_CHANNELS = (Channel.PHONE, Channel.SMS, Channel.CHAT)


class TicketConflict(ValidationError):
    """Somebody else changed or claimed the ticket first; nothing was written."""


CONFLICT_MESSAGE = _(
    "Phiếu đã được người khác cập nhật trong lúc bạn đang xem. "
    "Không có gì bị ghi đè: hãy tải lại trang để xem thay đổi mới nhất."
)


def _category(category) -> Category:
    if isinstance(category, Category):
        return category
    # From the desk's tables kept per process (services.tables), not a query per ticket.
    found = desk_tables().categories.get(category) if isinstance(category, str) else None
    if found is None:
        raise ValidationError({"category": _("Nhánh tổng đài không tồn tại.")})
    return found


def sla_minutes(priority: str) -> int:
    return desk_tables().sla_minutes.get(priority, DEFAULT_SLA_MINUTES[priority])


def route_for(category: Category, commune) -> ResponsibleUnit | None:
    """The responsible unit from the routing table (rules.resolve_route decides), read from
    the tables kept per process: no query on a warm worker."""
    routes = [r for r in routes_for(commune) if r.category in (category.code, None)]
    unit_id = rules.resolve_route(routes, category.code, commune.path if commune else None)
    return desk_tables().units.get(unit_id) if unit_id else None


def _event(ticket, kind, actor=None, note="", from_unit=None, to_unit=None) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:500],
        from_unit=from_unit,
        to_unit=to_unit,
    )


# atomic=True: the decorator's block is the transaction (no savepoint inside it).
@idempotency.submitted_once(Ticket, atomic=True)
def ticket_create(
    *,
    by,
    channel: str,
    category,
    text: str,
    person=None,
    commune=None,
    caller_phone: str = "",
    caller_name: str = "",
    anonymous: bool = False,
    source_ref: str = "",
    pregnant: bool = False,
    alert_id: int | None = None,
    submission: idempotency.Submission | None = None,
) -> Ticket:
    """Open a ticket: triage its priority, set its SLA due time, route it to a unit."""
    category = _category(category)
    text = nfc(text)
    if not text:
        raise ValidationError({"text": _("Cần nội dung phản ánh.")})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Kênh không hợp lệ.")})
    caller_phone = normalize_phone(caller_phone) if caller_phone else ""
    if person is not None:
        commune = commune or person.commune
        caller_phone = caller_phone or person.phone
        caller_name = caller_name or person.full_name
    if anonymous:
        # A citizen reporting a violation may stay anonymous: keep no name, only the phone
        # the gateway needs to answer (web reports without a phone keep nothing).
        caller_name = ""
    summary = case_summary(person) if person is not None else None
    now = timezone.now()
    triage = rules.triage(
        text,
        default_priority=category.default_priority,
        open_danger_alerts=(summary or {}).get("open_danger_alerts", 0) or 0,
        age=rules.age_from_birth_year(person.birth_year if person else None, now.year),
        pregnant=pregnant,
    )
    unit = route_for(category, commune)
    ticket = Ticket.objects.create(
        channel=channel,
        category=category,
        priority=triage.priority,
        priority_reasons=list(triage.reasons),
        text=text,
        caller_name=nfc(caller_name)[:120],
        caller_phone=caller_phone,
        anonymous=anonymous,
        person=person,
        commune=commune,
        assigned_unit=unit,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        source_ref=source_ref[:100],
        alert_id=alert_id,
        created_at=now,
        due_at=rules.sla_due(now, sla_minutes(triage.priority)),
        **idempotency.fields(submission),
    )
    # The first message, the history event and the audit event need nothing back: one
    # statement for the three (lib.query.write_together), in the ticket's transaction.
    write_together(
        TicketMessage(
            ticket=ticket,
            direction=TicketMessage.Direction.IN,
            body=text,
            author=ticket.created_by,
            channel=channel,
            created_at=now,
        ),
        TicketEvent(
            ticket=ticket,
            kind=TicketEvent.Kind.CREATE,
            actor=by if getattr(by, "is_authenticated", False) else None,
            note=", ".join(triage.reasons)[:500],
            to_unit=unit,
        ),
        audit_event(
            actor=by,
            action="hotline.ticket_create",
            target=ticket,
            changes={
                "channel": channel,
                "category": category.code,
                "priority": triage.priority,
                "unit": unit.pk if unit else None,
                "source_ref": source_ref,
            },
            actor_label="" if by else "người dân",
        ),
    )
    # Only queue a notification someone will receive: an empty job costs a second commit.
    # Whether the unit has a recipient is known per process (services.tables), no query.
    if unit_has_recipients(unit):
        ticket_id = ticket.pk
        transaction.on_commit(lambda: _enqueue("notify_unit", ticket_id))
    return ticket


def _enqueue(name: str, *args) -> None:
    from .. import tasks

    try:
        getattr(tasks, name).enqueue(*args)
    except Exception:  # a queue hiccup must not lose the ticket already committed
        logger.exception("could not enqueue hotline task %s", name)


@transaction.atomic
def ticket_link_mint(*, by, ticket: Ticket) -> str:
    """A new personal link for the citizen; the raw token is returned once, never stored."""
    _link, raw = TicketLink.mint(valid_for=LINK_VALID_FOR, ticket=ticket)
    audit_record(actor=by, action="hotline.link_mint", target=ticket)
    return raw


def citizen_url(raw: str, request=None) -> str:
    from django.urls import reverse

    from phongdich.lib.urls import absolute_url

    return absolute_url(reverse("hotline:citizen", args=[raw]), request)


def _guarded_update(ticket: Ticket, version: int | None, **values) -> Ticket:
    """UPDATE ... WHERE version = <seen>; a row count of 0 means someone was first."""
    expected = ticket.version if version is None else version
    values["updated_at"] = timezone.now()
    count = Ticket.objects.filter(pk=ticket.pk, version=expected).update(
        version=F("version") + 1, **values
    )
    if count != 1:
        raise TicketConflict(CONFLICT_MESSAGE, code="conflict")
    for field, value in values.items():
        setattr(ticket, field, value)
    ticket.version = expected + 1
    return ticket


@transaction.atomic
def ticket_claim(*, by, ticket: Ticket) -> Ticket:
    """Take the ticket. Race-free: one guarded UPDATE; only one agent's row count is 1."""
    now = timezone.now()
    count = Ticket.objects.filter(
        pk=ticket.pk, claimed_by__isnull=True, status__in=OPEN_STATUSES
    ).update(
        claimed_by=by,
        claimed_at=now,
        status=Status.CLAIMED,
        version=F("version") + 1,
        updated_at=now,
    )
    if count != 1:
        raise TicketConflict(
            _("Phiếu này đã có người khác nhận xử lý (hoặc đã đóng). Hãy tải lại trang."),
            code="claimed",
        )
    ticket.refresh_from_db()
    _event(ticket, TicketEvent.Kind.CLAIM, by)
    audit_record(actor=by, action="hotline.ticket_claim", target=ticket)
    return ticket


@transaction.atomic
def ticket_release(*, by, ticket: Ticket, version: int | None = None) -> Ticket:
    if ticket.claimed_by_id != by.pk:
        raise ValidationError(_("Chỉ người đang giữ phiếu mới trả lại được."))
    _guarded_update(ticket, version, claimed_by=None, claimed_at=None, status=Status.NEW)
    _event(ticket, TicketEvent.Kind.RELEASE, by)
    audit_record(actor=by, action="hotline.ticket_release", target=ticket)
    return ticket


@transaction.atomic
def ticket_forward(
    *, by, ticket: Ticket, to_unit: ResponsibleUnit, note: str = "", version: int | None = None
) -> Ticket:
    """Send the ticket to another responsible unit; the claim is dropped so they can take it."""
    if not ticket.is_open:
        raise ValidationError(_("Phiếu đã đóng, không chuyển được."))
    if to_unit.pk == ticket.assigned_unit_id:
        raise ValidationError(_("Phiếu đang ở đơn vị này rồi."))
    from_unit = ticket.assigned_unit
    _guarded_update(
        ticket,
        version,
        assigned_unit=to_unit,
        claimed_by=None,
        claimed_at=None,
        status=Status.NEW,
    )
    _event(ticket, TicketEvent.Kind.FORWARD, by, note, from_unit=from_unit, to_unit=to_unit)
    audit_record(
        actor=by,
        action="hotline.ticket_forward",
        target=ticket,
        changes={"from": from_unit.pk if from_unit else None, "to": to_unit.pk},
    )
    transaction.on_commit(lambda: _enqueue("notify_unit", ticket.pk))
    return ticket


@transaction.atomic
def ticket_reassign(
    *, by, ticket: Ticket, to_user, note: str = "", version: int | None = None
) -> Ticket:
    """Hand the ticket to a named colleague (who then holds it)."""
    if not ticket.is_open:
        raise ValidationError(_("Phiếu đã đóng."))
    previous = ticket.claimed_by
    _guarded_update(
        ticket, version, claimed_by=to_user, claimed_at=timezone.now(), status=Status.CLAIMED
    )
    _event(
        ticket,
        TicketEvent.Kind.REASSIGN,
        by,
        note=f"{previous or '—'} → {to_user}. {note}".strip(),
    )
    audit_record(
        actor=by,
        action="hotline.ticket_reassign",
        target=ticket,
        changes={"from": previous.pk if previous else None, "to": to_user.pk},
    )
    return ticket


@idempotency.submitted_once(TicketMessage)
@transaction.atomic
def ticket_reply(
    *,
    by,
    ticket: Ticket,
    body: str,
    internal: bool = False,
    version: int | None = None,
    submission: idempotency.Submission | None = None,
) -> TicketMessage:
    """A staff reply (sent on the ticket's channel) or an internal note (never sent)."""
    body = nfc(body)
    if not body:
        raise ValidationError({"body": _("Cần nội dung.")})
    now = timezone.now()
    out_on_gateway = not internal and ticket.channel in GATEWAY_CHANNELS and ticket.caller_phone
    # The message (carrying the submission key) is inserted before the ticket's guarded
    # UPDATE: two racing copies of one double click then meet on the key's unique index,
    # and the loser gets the first reply back instead of a version conflict.
    message = TicketMessage.objects.create(
        ticket=ticket,
        direction=TicketMessage.Direction.OUT,
        internal=internal,
        body=body,
        author=by,
        channel=ticket.channel,
        delivery_status=(
            ""
            if internal
            else TicketMessage.Delivery.QUEUED
            if out_on_gateway
            else TicketMessage.Delivery.ON_LINK
        ),
        created_at=now,
        **idempotency.fields(submission),
    )
    if internal:
        values = {}
    else:
        values = {"status": Status.WAITING if ticket.is_open else ticket.status}
        if ticket.first_response_at is None:
            values["first_response_at"] = now
        if ticket.claimed_by_id is None and ticket.is_open:
            values.update(claimed_by=by, claimed_at=now)
    _guarded_update(ticket, version, **values)
    _event(ticket, TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLY, by)
    audit_record(
        actor=by,
        action="hotline.ticket_note" if internal else "hotline.ticket_reply",
        target=ticket,
        changes={"message": message.pk},
    )
    if out_on_gateway:
        transaction.on_commit(lambda: _enqueue("deliver_message", message.pk))
    return message


@transaction.atomic
def ticket_resolve(*, by, ticket: Ticket, note: str = "", version: int | None = None) -> Ticket:
    if not ticket.is_open:
        raise ValidationError(_("Phiếu đã được giải quyết hoặc đã đóng."))
    now = timezone.now()
    _guarded_update(ticket, version, status=Status.RESOLVED, resolved_at=now)
    _event(ticket, TicketEvent.Kind.RESOLVE, by, note)
    audit_record(actor=by, action="hotline.ticket_resolve", target=ticket)
    _follow_alert(by=by, ticket=ticket, note=note)
    return ticket


def _follow_alert(*, by, ticket: Ticket, note: str) -> None:
    from .alert_link import alert_follow_ticket  # alert_link builds on this module

    alert_follow_ticket(by=by, ticket=ticket, note=note)


@transaction.atomic
def ticket_close(*, by, ticket: Ticket, version: int | None = None) -> Ticket:
    if ticket.status == Status.CLOSED:
        raise ValidationError(_("Phiếu đã đóng."))
    was_open = ticket.is_open
    _guarded_update(
        ticket, version, status=Status.CLOSED, resolved_at=ticket.resolved_at or timezone.now()
    )
    _event(ticket, TicketEvent.Kind.CLOSE, by)
    audit_record(actor=by, action="hotline.ticket_close", target=ticket)
    if was_open:
        _follow_alert(by=by, ticket=ticket, note="")
    return ticket


def tickets_overdue(now=None):
    now = now or timezone.now()
    return Ticket.objects.filter(
        status__in=OPEN_STATUSES, due_at__lt=now, escalated_at__isnull=True
    )


def ticket_escalate_overdue(*, now=None, limit: int = 1000) -> int:
    """Mark open tickets past their SLA as escalated and tell the supervisors.

    Each ticket is taken with a guarded UPDATE (escalated_at IS NULL), so two sweeps running
    at once (a cron and a worker) never escalate the same ticket twice.
    """
    now = now or timezone.now()
    done = 0
    for ticket in tickets_overdue(now).select_related("assigned_unit")[:limit]:
        with transaction.atomic():
            count = Ticket.objects.filter(pk=ticket.pk, escalated_at__isnull=True).update(
                escalated_at=now,
                escalation_level=F("escalation_level") + 1,
                priority=rules.raise_to(ticket.priority, rules.P2)
                if ticket.priority != rules.P1
                else rules.P1,
                version=F("version") + 1,
            )
            if count != 1:
                continue
            _event(
                ticket,
                TicketEvent.Kind.ESCALATE,
                None,
                note=_("Quá hạn xử lý %(p)s") % {"p": ticket.priority},
            )
            audit_record(actor=None, action="hotline.ticket_escalate", target=ticket)
            ticket_id = ticket.pk
            transaction.on_commit(
                lambda ticket_id=ticket_id: _enqueue("notify_escalation", ticket_id)
            )
            done += 1
    return done


def unit_recipients(unit: ResponsibleUnit | None) -> list[str]:
    if unit is None:
        return []
    emails = [u.email for u in unit.focal_points.filter(is_active=True) if u.email]
    if unit.email:
        emails.append(unit.email)
    return sorted(set(emails))
