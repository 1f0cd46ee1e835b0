"""Every write of the hotline: tickets, conversations, routing, escalation, relief, NQ 68.

Public contract for other apps (checkpoints reports undeclared arrivals with it):

    ticket_create(*, by, channel, category, text, person=None, commune=None,
                  caller_phone="", caller_name="", anonymous=False, source_ref="",
                  submission=None) -> Ticket

`by` is the staff user or None for a citizen/system; `category` is a Category or its code
("violation" for reports of violations, including undeclared arrivals); `commune` an
AdminUnit or None. Triage and routing run inside; the ticket is audited. With a
`submission` (lib.idempotency) the same submission twice opens one ticket: the second call
returns the first ticket, with `submission_replayed` set.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.identity import normalize_phone
from phongdich.lib.text import fold, nfc

from . import rules
from .models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Fulfilment,
    ReliefRequest,
    ResponsibleUnit,
    RoutingRule,
    SlaPolicy,
    Status,
    SupportPayment,
    SupportPolicy,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketMessage,
)
from .selectors import case_summary

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
    try:
        return Category.objects.get(code=category)
    except Category.DoesNotExist:
        raise ValidationError({"category": _("Nhánh tổng đài không tồn tại.")}) from None


def sla_minutes(priority: str) -> int:
    policy = SlaPolicy.objects.filter(priority=priority).first()
    return policy.minutes if policy else DEFAULT_SLA_MINUTES[priority]


def route_for(category: Category, commune) -> ResponsibleUnit | None:
    """The responsible unit from the routing table (rules.resolve_route decides)."""
    live = RoutingRule.objects.filter(active=True, unit__active=True).filter(
        Q(category=category) | Q(category__isnull=True)
    )
    if commune is None:
        live = live.filter(admin_unit__kind="province")
    else:
        # The commune and its ancestors: "/38/", "/38/380/", "/38/380/14755/".
        parts = commune.path.strip("/").split("/")
        live = live.filter(
            admin_unit__path__in=["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        )
    routes = [
        rules.Route(code, path, unit_id)
        for code, path, unit_id in live.values_list("category__code", "admin_unit__path", "unit_id")
    ]
    unit_id = rules.resolve_route(routes, category.code, commune.path if commune else None)
    return ResponsibleUnit.objects.filter(pk=unit_id).first() if unit_id else None


def _event(ticket, kind, actor=None, note="", from_unit=None, to_unit=None) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:500],
        from_unit=from_unit,
        to_unit=to_unit,
    )


@idempotency.submitted_once(Ticket)
@transaction.atomic
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
        created_at=now,
        due_at=rules.sla_due(now, sla_minutes(triage.priority)),
        **idempotency.fields(submission),
    )
    TicketMessage.objects.create(
        ticket=ticket,
        direction=TicketMessage.Direction.IN,
        body=text,
        author=ticket.created_by,
        channel=channel,
        created_at=now,
    )
    _event(ticket, TicketEvent.Kind.CREATE, by, note=", ".join(triage.reasons), to_unit=unit)
    audit_record(
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
    )
    # Only queue a notification someone will receive: an empty job costs a second commit.
    if unit is not None and unit_recipients(unit):
        ticket_id = ticket.pk
        transaction.on_commit(lambda: _enqueue("notify_unit", ticket_id))
    return ticket


def _enqueue(name: str, *args) -> None:
    from . import tasks

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


def citizen_url(raw: str) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse("hotline:citizen", args=[raw])


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
    return ticket


@transaction.atomic
def ticket_close(*, by, ticket: Ticket, version: int | None = None) -> Ticket:
    if ticket.status == Status.CLOSED:
        raise ValidationError(_("Phiếu đã đóng."))
    _guarded_update(
        ticket, version, status=Status.CLOSED, resolved_at=ticket.resolved_at or timezone.now()
    )
    _event(ticket, TicketEvent.Kind.CLOSE, by)
    audit_record(actor=by, action="hotline.ticket_close", target=ticket)
    return ticket


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
    from .gateways import GatewayError, get_gateway

    message = TicketMessage.objects.select_for_update().select_related("ticket").get(pk=message_id)
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


# --- Relief centre ----------------------------------------------------------------------


def household_key(name: str, address: str) -> str:
    return " ".join(fold(f"{name} | {address}").split())[:255]


def relief_repeat_days() -> int:
    return int(getattr(settings, "HOTLINE_RELIEF_REPEAT_DAYS", 7))


@idempotency.submitted_once(ReliefRequest)
@transaction.atomic
def relief_request_create(
    *,
    by,
    household_name: str,
    commune,
    people_count: int = 1,
    address: str = "",
    phone: str = "",
    need_rice: bool = False,
    need_food: bool = False,
    need_medicine: bool = False,
    need_cash: bool = False,
    need_other: str = "",
    urgency: str = ReliefRequest.Urgency.NORMAL,
    person=None,
    ticket=None,
    submission: idempotency.Submission | None = None,
) -> ReliefRequest:
    """Record a relief request. A repeat (same household or phone within the window) is
    flagged through `repeat_of`, never refused: families do run out twice in a week. The
    same submission sent twice (a double click) is one request, not a repeat."""
    household_name = nfc(household_name)
    if not household_name:
        raise ValidationError({"household_name": _("Cần tên chủ hộ.")})
    if not (need_rice or need_food or need_medicine or need_cash or need_other.strip()):
        raise ValidationError(_("Chọn ít nhất một nhu cầu."))
    phone = normalize_phone(phone) if phone else ""
    key = household_key(household_name, address)
    since = timezone.now() - timedelta(days=relief_repeat_days())
    earlier = ReliefRequest.objects.filter(created_at__gte=since, commune=commune).exclude(
        status=ReliefRequest.Status.CANCELLED
    )
    match = earlier.filter(household_key=key).order_by("-created_at").first()
    if match is None and phone:
        match = (
            ReliefRequest.objects.filter(created_at__gte=since, phone=phone)
            .order_by("-created_at")
            .first()
        )
    request = ReliefRequest.objects.create(
        household_name=household_name,
        household_key=key,
        address=nfc(address),
        people_count=people_count,
        need_rice=need_rice,
        need_food=need_food,
        need_medicine=need_medicine,
        need_cash=need_cash,
        need_other=nfc(need_other),
        urgency=urgency,
        phone=phone,
        commune=commune,
        person=person,
        ticket=ticket,
        repeat_of=match,
        created_by=by,
        **idempotency.fields(submission),
    )
    audit_record(
        actor=by,
        action="hotline.relief_create",
        target=request,
        changes={"repeat_of": match.pk if match else None, "commune": commune.code},
    )
    return request


@idempotency.submitted_once(Fulfilment)
@transaction.atomic
def relief_fulfil(
    *,
    by,
    request: ReliefRequest,
    what: str,
    delivered_at=None,
    delivered_by: str = "",
    complete: bool = True,
    submission: idempotency.Submission | None = None,
) -> Fulfilment:
    what = nfc(what)
    if not what:
        raise ValidationError({"what": _("Cần ghi đã trao gì.")})
    if request.status == ReliefRequest.Status.CANCELLED:
        raise ValidationError(_("Yêu cầu đã hủy."))
    fulfilment = Fulfilment.objects.create(
        request=request,
        what=what,
        delivered_at=delivered_at or timezone.now(),
        delivered_by=nfc(delivered_by) or by.get_full_name() or by.username,
        recorded_by=by,
        **idempotency.fields(submission),
    )
    request.status = ReliefRequest.Status.DONE if complete else ReliefRequest.Status.PARTLY
    request.save(update_fields=["status"])
    audit_record(
        actor=by,
        action="hotline.relief_fulfil",
        target=request,
        changes={"fulfilment": fulfilment.pk, "status": request.status},
    )
    return fulfilment


@idempotency.submitted_once(SupportPayment)
@transaction.atomic
def support_payment_record(
    *,
    by,
    person,
    policy: SupportPolicy,
    days: int | None = None,
    note: str = "",
    submission: idempotency.Submission | None = None,
) -> SupportPayment:
    """Record NQ 68 support with the amount computed from the policy row."""
    # The person's row lock makes "once per person" and "at most N days" hold when two
    # officers record support for the same person at the same moment: the second waits,
    # then counts the first's payment.
    type(person).objects.select_for_update().filter(pk=person.pk).values_list(
        "pk", flat=True
    ).first()
    if not policy.active:
        raise ValidationError(_("Chính sách này không còn áp dụng."))
    if (
        policy.once_per_person
        and SupportPayment.objects.filter(person=person, policy=policy).exists()
    ):
        raise ValidationError(_("Người này đã nhận khoản hỗ trợ một lần này."))
    if policy.max_age_exclusive is not None:
        age = rules.age_from_birth_year(person.birth_year, timezone.localdate().year)
        if age is None or age >= policy.max_age_exclusive:
            raise ValidationError(
                _("Khoản này chỉ dành cho trẻ dưới %(n)s tuổi (cần năm sinh).")
                % {"n": policy.max_age_exclusive}
            )
    if policy.per_day:
        already = sum(
            SupportPayment.objects.filter(person=person, policy=policy).values_list(
                "days", flat=True
            )
            or [0],
            0,
        )
        remaining = (policy.max_days - (already or 0)) if policy.max_days else None
        if remaining is not None and remaining <= 0:
            raise ValidationError(_("Người này đã nhận đủ số ngày tối đa của chính sách."))
        if days is None:
            raise ValidationError({"days": _("Cần số ngày.")})
        if remaining is not None:
            days = min(days, remaining)
    try:
        amount = rules.support_amount(
            amount=policy.amount_vnd, per_day=policy.per_day, max_days=policy.max_days, days=days
        )
    except ValueError as exc:
        raise ValidationError({"days": _("Số ngày phải từ 1 trở lên.")}) from exc
    payment = SupportPayment.objects.create(
        person=person,
        policy=policy,
        days=amount.days,
        amount_vnd=amount.amount,
        note=nfc(note),
        recorded_by=by,
        **idempotency.fields(submission),
    )
    audit_record(
        actor=by,
        action="hotline.support_record",
        target=person,
        changes={"policy": policy.code, "days": amount.days, "amount": amount.amount},
    )
    return payment


# --- Routing table set-up --------------------------------------------------------------------


@transaction.atomic
def routing_seed_province(*, by, province) -> dict:
    """Create the default units and routing table for a province (idempotent).

    Province: the 1022 desk (catch-all), the CDC (branch cdc) and the relief centre (food);
    each district: its police (violations, including undeclared arrivals); each commune:
    its health station (catch-all: emergency, F0 advice...) and its People's Committee
    (social welfare, administrative procedures). Officials then edit units, focal points
    and rules in the admin.
    """
    from phongdich.geo.models import AdminUnit

    cats = {c.code: c for c in Category.objects.all()}
    created = {"units": 0, "rules": 0}

    def unit(name, kind, admin_unit):
        obj, made = ResponsibleUnit.objects.get_or_create(
            kind=kind, admin_unit=admin_unit, defaults={"name": name}
        )
        created["units"] += made
        return obj

    def rule(category_code, admin_unit, target):
        _obj, made = RoutingRule.objects.get_or_create(
            category=cats.get(category_code) if category_code else None,
            admin_unit=admin_unit,
            defaults={"unit": target},
        )
        created["rules"] += made

    desk = unit(f"Tổng đài 1022 {province.name}", ResponsibleUnit.Kind.OTHER, province)
    cdc = unit(f"CDC {province.name}", ResponsibleUnit.Kind.CDC, province)
    relief = unit("Trung tâm hỗ trợ người dân", ResponsibleUnit.Kind.RELIEF_CENTRE, province)
    rule(None, province, desk)
    rule("cdc", province, cdc)
    rule("food", province, relief)
    below = AdminUnit.objects.filter(path__startswith=province.path).exclude(pk=province.pk)
    for district in below.filter(kind=AdminUnit.Kind.DISTRICT):
        police = unit(f"Công an {district.name}", ResponsibleUnit.Kind.DISTRICT_POLICE, district)
        rule("violation", district, police)
    for commune in below.filter(kind=AdminUnit.Kind.COMMUNE):
        station = unit(f"Trạm y tế {commune.name}", ResponsibleUnit.Kind.HEALTH_STATION, commune)
        committee = unit(f"UBND {commune.name}", ResponsibleUnit.Kind.COMMUNE_COMMITTEE, commune)
        rule(None, commune, station)
        rule("social_welfare", commune, committee)
        rule("admin_procedures", commune, committee)
    audit_record(actor=by, action="hotline.routing_seed", target=province, changes=created)
    return created
