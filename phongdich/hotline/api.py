"""Hotline API: ticket creation and listing for staff and integrations, and the inbound
SMS/chat webhook (HMAC-signed, no session)."""

import hmac
import json
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from phongdich.audit.services import audit_read_many
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency
from phongdich.people.selectors import people_visible_to

from . import selectors, services
from .gateways import sign
from .models import Channel, Ticket
from .roles import DESK_ROLES, TICKET_ROLES

router = Router(tags=["hotline"])


SIGNATURE_HEADER = "HTTP_X_PHONGDICH_SIGNATURE"


class TicketIn(Schema):
    category: str
    text: str
    channel: str = Channel.PHONE
    caller_phone: str = ""
    caller_name: str = ""
    commune_code: str | None = None
    person_id: int | None = None
    anonymous: bool = False
    source_ref: str = ""


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


class ErrorOut(Schema):
    detail: str


@router.post(
    "/tickets",
    response={200: TicketOut, 201: TicketOut, 409: ErrorOut},
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
        commune = AdminUnit.objects.filter(code=payload.commune_code, kind="commune").first()
        if commune is None or not commune.is_within(request.user.jurisdiction):
            raise HttpError(422, "Mã xã/phường không hợp lệ.")
    person = None
    if payload.person_id:
        person = people_visible_to(request.user).filter(pk=payload.person_id).first()
        if person is None:
            raise HttpError(404, "Không tìm thấy.")
    if payload.channel not in Channel.values or payload.channel == Channel.ALERT:
        raise HttpError(422, "Kênh không hợp lệ.")
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
        return Status(409, {"detail": _errors(exc)})
    except ValidationError as exc:
        raise HttpError(422, _errors(exc)) from None
    if ticket.submission_replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
        return Status(200, ticket)
    return Status(201, ticket)


@router.get("/tickets", response=list[TicketOut])
def ticket_list(
    request,
    category: str = "",
    priority: str = "",
    state: str = "open",
    limit: int = 50,
    offset: int = 0,
):
    """Tickets visible to the caller, most urgent due time first (paged by limit/offset)."""
    _require(request, TICKET_ROLES)
    limit = max(1, min(limit, 200))
    qs = selectors.ticket_queue(request.user, category=category, priority=priority, state=state)
    tickets = list(qs[offset : offset + limit])
    audit_read_many(actor=request.user, action="hotline.api_tickets", records=tickets)
    return tickets


class InboundOut(Schema):
    ticket_id: int


@router.post("/inbound", auth=None, response={200: InboundOut, 400: dict, 401: dict})
def inbound(request):
    """SMS/chat gateway webhook. Body: {"channel": "sms"|"chat", "from": "+84…", "text": "…",
    "id": "<gateway message id>"}; header X-Phongdich-Signature: hex HMAC-SHA256 of the raw
    body with HOTLINE_WEBHOOK_SECRET. Nothing is stored unless the signature matches."""
    secret = getattr(settings, "HOTLINE_WEBHOOK_SECRET", "")
    given = request.META.get(SIGNATURE_HEADER, "")
    if not secret or not given or not hmac.compare_digest(sign(request.body, secret), given):
        return Status(401, {"detail": "bad signature"})
    try:
        data = json.loads(request.body or b"{}")
        ticket = services.ticket_inbound(
            channel=str(data.get("channel", "sms")),
            phone=str(data["from"]),
            text=str(data.get("text", ""))[:4000],
            external_id=str(data.get("id", ""))[:100],
        )
    except (ValueError, KeyError, TypeError, ValidationError):
        return Status(400, {"detail": "invalid message"})
    return Status(200, {"ticket_id": ticket.pk})
