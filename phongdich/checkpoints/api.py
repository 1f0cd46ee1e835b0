"""JSON API: public declaration, officer lookup and passages (for checkpoint tablets and
integrations). Passages are idempotent on the client's key."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_read
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import unit_by_code
from phongdich.lib import idempotency
from phongdich.lib.apierrors import error_body, responses
from phongdich.lib.bounds import (
    NO_NUL_PATTERN,
    PHONE_INPUT_MAX_LENGTH,
    YEAR_MAX,
    YEAR_MIN,
    ApiDate,
    ApiDateTime,
    ApiId,
    ApiText,
    max_length,
)

from . import selectors, services
from .forms import QR_MAX_LENGTH
from .models import Decision, Declaration, Direction, Passage
from .views import throttled

router = Router(tags=["checkpoints"])


OFFICER = (Role.CHECKPOINT_OFFICER, Role.PROVINCE_ADMIN)


def _text(field_name: str, **kwargs):
    return ApiText(Declaration, field_name, **kwargs)


class DeclarationIn(Schema):
    full_name: _text("full_name", min_length=1)
    birth_year: int = Field(..., ge=YEAR_MIN, le=YEAR_MAX)
    sex: Literal["", "M", "F"] = ""
    nationality: _text("nationality") = "Việt Nam"
    id_number: _text("id_number") = ""
    phone: ApiText(length=PHONE_INPUT_MAX_LENGTH) = ""
    email: _text("email") = ""
    travel_mode: Literal[tuple(Declaration.TravelMode.values)] = Declaration.TravelMode.CAR
    vehicle_number: _text("vehicle_number") = ""
    seat: _text("seat") = ""
    departure_date: ApiDate | None = None
    arrival_date: ApiDate
    places_visited: _text("places_visited") = ""
    origin_code: ApiText(AdminUnit, "code") = ""
    origin_text: _text("origin_text") = ""
    destination_commune_code: ApiText(AdminUnit, "code") = ""
    destination_address: _text("destination_address") = ""
    symptoms: list[Literal[tuple(services.SYMPTOMS)]] = Field([], max_length=len(services.SYMPTOMS))
    exposures: list[Literal[tuple(services.EXPOSURES)]] = Field(
        [], max_length=len(services.EXPOSURES)
    )
    test_result: Literal[tuple(Declaration.TestResult.values)] = ""
    test_taken_at: ApiDateTime | None = None
    vaccine_doses: int | None = Field(None, ge=0, le=10)
    checkpoint_id: ApiId | None = None


class DeclarationOut(Schema):
    code: str
    personal_link: str


class DeclarationSummary(Schema):
    id: int
    code: str
    full_name: str
    birth_year: int
    destination: str | None
    origin: str
    symptoms: list[str]
    test_result: str
    vaccine_doses: int | None
    area_level: int | None
    suggested_decision: str
    suggestion_reason: str


class PassageIn(Schema):
    code: ApiText(Declaration, "code") = ""
    qr: ApiText(length=QR_MAX_LENGTH) = ""
    checkpoint_id: ApiId
    decision: Literal[tuple(Decision.values)]
    idempotency_key: ApiText(Passage, "idempotency_key", min_length=8)
    temperature: float | None = Field(None, ge=30, le=45, allow_inf_nan=False)
    note: ApiText(Passage, "note") = ""
    exit_checkpoint_id: ApiId | None = None
    direction: Literal[tuple(Direction.values)] = "in"


class PassageOut(Schema):
    id: int
    created: bool
    decision: str
    suggested_decision: str


def _officer(request):
    if not request.user.has_role(*OFFICER):
        raise HttpError(403, "Chỉ cán bộ chốt kiểm soát.")


def _unit(code: str, kind=None):
    if not code:
        return None
    # Kept per process (geo.selectors): no query on a warm worker.
    unit = unit_by_code(code, kind)
    if unit is None:
        raise HttpError(422, f"Mã đơn vị không tồn tại: {code}")
    return unit


@router.post(
    "/declarations",
    auth=None,
    response=responses({200: DeclarationOut, 201: DeclarationOut}, 409, 413, 429, public=True),
    openapi_extra={"parameters": [idempotency.OPENAPI_HEADER]},
)
def declaration_create(request, payload: DeclarationIn, response: HttpResponse):
    """Public: a traveller's declaration; returns the short code and the personal link.

    With an Idempotency-Key header a retry returns the declaration already saved (200, with
    a fresh personal link to it) instead of saving a second one."""
    if throttled(request, "declare"):
        raise HttpError(429, "Gửi quá nhiều lần, thử lại sau ít phút.")
    try:
        submission = idempotency.api_submission(request, payload)
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    data = payload.dict()
    data["origin"] = _unit(data.pop("origin_code"))
    data["destination_commune"] = _unit(data.pop("destination_commune_code"), "commune")
    checkpoint_id = data.pop("checkpoint_id")
    data["checkpoint"] = (
        services.Checkpoint.objects.filter(pk=checkpoint_id).first() if checkpoint_id else None
    )
    try:
        declaration, raw = services.declaration_submit(data=data, submission=submission)
    except idempotency.SubmissionConflict as exc:
        return Status(409, error_body(409, "; ".join(exc.messages)))
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    body = {"code": declaration.code, "personal_link": f"/checkpoints/me/{raw}/"}
    if declaration.submission_replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
        return Status(200, body)
    return Status(201, body)


@router.get("/declarations/{code}", response=responses({200: DeclarationSummary}, 404))
def declaration_lookup(
    request,
    code: str = Path(..., max_length=max_length(Declaration, "code"), pattern=NO_NUL_PATTERN),
):
    _officer(request)
    declaration = services.declaration_by_code(code)
    if declaration is None:
        raise Http404
    audit_read(actor=request.user, target=declaration, action="checkpoints.lookup")
    assessment = services.assess(declaration)
    return {
        "id": declaration.pk,
        "code": declaration.code,
        "full_name": declaration.full_name,
        "birth_year": declaration.birth_year,
        "destination": declaration.destination_commune.label()
        if declaration.destination_commune
        else None,
        "origin": declaration.origin.name if declaration.origin else declaration.origin_text,
        "symptoms": declaration.symptoms,
        "test_result": declaration.test_result,
        "vaccine_doses": declaration.vaccine_doses,
        "area_level": assessment.facts.area_level,
        "suggested_decision": assessment.suggestion.decision,
        "suggestion_reason": assessment.suggestion.rule.reason,
    }


@router.post("/passages", response=responses({200: PassageOut, 201: PassageOut}, 404, 413))
def passage_create(request, payload: PassageIn):
    """Record a passage; the same idempotency_key twice returns the first passage (200)."""
    _officer(request)
    # A retried scan (same key) is answered from the passage already recorded, in one read.
    qr_ref = services.qr_reference(payload.qr) if payload.qr else None
    replayed = (
        selectors.passage_replayed(
            request.user,
            key=payload.idempotency_key,
            checkpoint_id=payload.checkpoint_id,
            code="" if payload.qr else payload.code,
            qr_ref=qr_ref,
        )
        if qr_ref or not payload.qr
        else None
    )
    if replayed is not None:
        pk, decision, suggested = replayed
        body = {"id": pk, "created": False, "decision": decision, "suggested_decision": suggested}
        return Status(200, body)
    declaration = (
        services.declaration_from_qr(payload.qr)
        if payload.qr
        else services.declaration_by_code(payload.code, related=services.SCAN_RELATED)
    )
    if declaration is None:
        raise Http404
    checkpoint = selectors.checkpoint_for(request.user, payload.checkpoint_id)
    if checkpoint is None:
        raise Http404
    exit_checkpoint = (
        selectors.checkpoint_for(request.user, payload.exit_checkpoint_id)
        if payload.exit_checkpoint_id
        else None
    )
    try:
        passage, created = services.passage_record(
            by=request.user,
            declaration=declaration,
            checkpoint=checkpoint,
            decision=payload.decision,
            idempotency_key=payload.idempotency_key,
            temperature=payload.temperature,
            note=payload.note,
            exit_checkpoint=exit_checkpoint,
            replay_checked=True,
            direction=payload.direction,
        )
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    body = {
        "id": passage.pk,
        "created": created,
        "decision": passage.decision,
        "suggested_decision": passage.suggested_decision,
    }
    return Status(201 if created else 200, body)
