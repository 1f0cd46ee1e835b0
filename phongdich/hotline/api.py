"""Hotline API: ticket creation and listing for staff and integrations, and the inbound
SMS/chat webhook (HMAC-signed, no session)."""

import hmac
import json
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from phongdich.audit.services import audit_read_many
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import unit_by_code
from phongdich.lib import idempotency
from phongdich.lib.apierrors import Error, error_body, responses
from phongdich.lib.bounds import (
    NO_NUL_PATTERN,
    OFFSET_MAX,
    PHONE_INPUT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ApiId,
    ApiText,
    max_length,
)
from phongdich.people.selectors import people_visible_to

from . import selectors, services
from .gateways import sign
from .models import Category, Channel, Priority, Ticket, TicketMessage
from .models import Status as TicketStatus
from .roles import DESK_ROLES, TICKET_ROLES

router = Router(tags=["hotline"])


SIGNATURE_HEADER = "HTTP_X_PHONGDICH_SIGNATURE"


# Alerts are opened by the system (cases app), never through the API.
API_CHANNELS = tuple(c for c in Channel.values if c != Channel.ALERT)


class TicketIn(Schema):
    category: ApiText(Category, "code", min_length=1)
    text: ApiText(Ticket, "text", min_length=1)
    channel: Literal[API_CHANNELS] = Channel.PHONE
    caller_phone: ApiText(length=PHONE_INPUT_MAX_LENGTH) = ""
    caller_name: ApiText(Ticket, "caller_name") = ""
    commune_code: ApiText(AdminUnit, "code") | None = None
    person_id: ApiId | None = None
    anonymous: bool = False
    source_ref: ApiText(Ticket, "source_ref") = ""


class TicketOut(Schema):
    id: int
    channel: str
    category: str
    priority: str
    priority_reasons: list[str]
    status: str
    commune_code: str | None
    unit: str | None
    due_at: datetime
    created_at: datetime

    @staticmethod
    def resolve_category(obj: Ticket) -> str:
        return obj.category.code

    @staticmethod
    def resolve_commune_code(obj: Ticket) -> str | None:
        return obj.commune.code if obj.commune_id else None

    @staticmethod
    def resolve_unit(obj: Ticket) -> str | None:
        return obj.assigned_unit.name if obj.assigned_unit_id else None


def _require(request, roles) -> None:
    if not request.user.has_role(*roles):
        raise HttpError(403, "Không có quyền.")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@router.post(
    "/tickets",
    response=responses({200: TicketOut, 201: TicketOut}, 404, 409, 413),
    openapi_extra={"parameters": [idempotency.OPENAPI_HEADER]},
)
def ticket_create(request, payload: TicketIn, response: HttpResponse):
    """Open a ticket (triage and routing run on the server). Send an Idempotency-Key header
    so a retry returns the ticket already opened (200) instead of opening a second one."""
    _require(request, DESK_ROLES)
    try:
        submission = idempotency.api_submission(request, payload)
    except ValidationError as exc:
        raise HttpError(422, _errors(exc)) from None
    commune = None
    if payload.commune_code:
        # Kept per process (geo.selectors): no query on a warm worker.
        commune = unit_by_code(payload.commune_code, AdminUnit.Kind.COMMUNE)
        if commune is None or not commune.is_within(request.user.jurisdiction):
            raise HttpError(422, "Mã xã/phường không hợp lệ.")
    person = None
    if payload.person_id:
        person = people_visible_to(request.user).filter(pk=payload.person_id).first()
        if person is None:
            raise HttpError(404, "Không tìm thấy.")
    try:
        ticket = services.ticket_create(
            by=request.user,
            channel=payload.channel,
            category=payload.category,
            text=payload.text,
            person=person,
            commune=commune,
            caller_phone=payload.caller_phone,
            caller_name=payload.caller_name,
            anonymous=payload.anonymous,
            source_ref=payload.source_ref,
            submission=submission,
        )
    except idempotency.SubmissionConflict as exc:
        return Status(409, error_body(409, _errors(exc)))
    except ValidationError as exc:
        raise HttpError(422, _errors(exc)) from None
    if ticket.submission_replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
        return Status(200, ticket)
    return Status(201, ticket)


@router.get("/tickets", response=responses({200: list[TicketOut]}))
def ticket_list(
    request,
    category: str = Query("", max_length=max_length(Category, "code"), pattern=NO_NUL_PATTERN),
    priority: Literal[("", *Priority.values)] = "",
    state: Literal[("open", "all", *TicketStatus.values)] = "open",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=OFFSET_MAX),
):
    """Tickets visible to the caller, most urgent due time first (paged by limit/offset;
    `state=all` lists closed tickets too)."""
    _require(request, TICKET_ROLES)
    qs = selectors.ticket_queue(request.user, category=category, priority=priority, state=state)
    tickets = list(qs[offset : offset + limit])
    audit_read_many(actor=request.user, action="hotline.api_tickets", records=tickets)
    return tickets


class InboundOut(Schema):
    ticket_id: int


# The gateway's message id is kept as "<channel>:<id>" in Ticket.source_ref.
INBOUND_ID_MAX_LENGTH = min(
    max_length(TicketMessage, "external_id"),
    max_length(Ticket, "source_ref") - len(f"{Channel.CHAT}:"),
)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@router.post("/inbound", auth=None, response={200: InboundOut, 400: Error, 401: Error, 413: Error})
def inbound(request):
    """SMS/chat gateway webhook. Body: {"channel": "sms"|"chat", "from": "+84…", "text": "…",
    "id": "<gateway message id>"}; header X-Phongdich-Signature: hex HMAC-SHA256 of the raw
    body with HOTLINE_WEBHOOK_SECRET. Nothing is stored unless the signature matches."""
    secret = getattr(settings, "HOTLINE_WEBHOOK_SECRET", "")
    given = request.META.get(SIGNATURE_HEADER, "")
    if not secret or not given or not hmac.compare_digest(sign(request.body, secret), given):
        return Status(401, error_body(401, "bad signature"))
    try:
        data = json.loads(request.body or b"{}")
        external_id = str(data.get("id", ""))
        # PostgreSQL stores no NUL; an id longer than its column would be cut and no
        # longer match the gateway's retries.
        if any("\x00" in s for s in _strings(data)) or len(external_id) > INBOUND_ID_MAX_LENGTH:
            raise ValueError("unstorable message")
        ticket = services.ticket_inbound(
            channel=str(data.get("channel", "sms")),
            phone=str(data["from"]),
            # A long SMS thread is kept to what a ticket holds; the gateway has the rest.
            text=str(data.get("text", ""))[:TEXT_MAX_LENGTH],
            external_id=external_id,
        )
    except (ValueError, KeyError, TypeError, AttributeError, ValidationError):
        return Status(400, error_body(400, "invalid message"))
    return Status(200, {"ticket_id": ticket.pk})
