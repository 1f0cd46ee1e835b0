"""JSON API: public declaration, officer lookup and passages (for checkpoint tablets and
integrations). Passages are idempotent on the client's key."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_read
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency

from . import selectors, services
from .views import throttled

router = Router(tags=["checkpoints"])


OFFICER = (Role.CHECKPOINT_OFFICER, Role.PROVINCE_ADMIN)


class DeclarationIn(Schema):
    full_name: str
    birth_year: int
    sex: str = ""
    nationality: str = "Việt Nam"
    id_number: str = ""
    phone: str = ""
    email: str = ""
    travel_mode: str = "car"
    vehicle_number: str = ""
    seat: str = ""
    departure_date: date | None = None
    arrival_date: date
    places_visited: str = ""
    origin_code: str = ""
    origin_text: str = ""
    destination_commune_code: str = ""
    destination_address: str = ""
    symptoms: list[str] = []
    exposures: list[str] = []
    test_result: str = ""
    test_taken_at: datetime | None = None
    vaccine_doses: int | None = None
    checkpoint_id: int | None = None


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
    code: str = ""
    qr: str = ""
    checkpoint_id: int
    decision: str
    idempotency_key: str
    temperature: float | None = None
    note: str = ""
    exit_checkpoint_id: int | None = None


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
    qs = AdminUnit.objects.filter(code=code)
    if kind:
        qs = qs.filter(kind=kind)
    unit = qs.first()
    if unit is None:
        raise HttpError(422, f"Mã đơn vị không tồn tại: {code}")
    return unit


class ErrorOut(Schema):
    detail: str


@router.post(
    "/declarations",
    auth=None,
    response={200: DeclarationOut, 201: DeclarationOut, 409: ErrorOut},
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
    if data["test_result"] not in ("", "negative", "positive"):
        raise HttpError(422, "test_result")
    try:
        declaration, raw = services.declaration_submit(data=data, submission=submission)
    except idempotency.SubmissionConflict as exc:
        return Status(409, {"detail": "; ".join(exc.messages)})
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    body = {"code": declaration.code, "personal_link": f"/checkpoints/me/{raw}/"}
    if declaration.submission_replayed:
        response[idempotency.REPLAYED_HEADER] = "true"
        return Status(200, body)
    return Status(201, body)


@router.get("/declarations/{code}", response=DeclarationSummary)
def declaration_lookup(request, code: str):
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


@router.post("/passages", response={200: PassageOut, 201: PassageOut})
def passage_create(request, payload: PassageIn):
    """Record a passage; the same idempotency_key twice returns the first passage (200)."""
    _officer(request)
    declaration = (
        services.declaration_from_qr(payload.qr)
        if payload.qr
        else services.declaration_by_code(payload.code)
    )
    if declaration is None:
        raise Http404
    checkpoints = selectors.checkpoints_for(request.user)
    checkpoint = checkpoints.filter(pk=payload.checkpoint_id).first()
    if checkpoint is None:
        raise Http404
    exit_checkpoint = (
        checkpoints.filter(pk=payload.exit_checkpoint_id).first()
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
