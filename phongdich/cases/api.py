"""F0 API: lab systems post results (Bearer token, idempotent on the lab's sample id);
staff read a case summary."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from phongdich.audit.services import audit_read
from phongdich.geo.models import AdminUnit
from phongdich.labtests.models import Kind, Sample
from phongdich.lib.apierrors import responses
from phongdich.lib.bounds import (
    ID_MAX,
    ID_NUMBER_INPUT_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    YEAR_MAX,
    YEAR_MIN,
    ApiDateTime,
    ApiText,
)
from phongdich.people.models import Person
from phongdich.people.services import MatchScope

from . import selectors, services
from .models import DetectionSetting
from .permissions import CASE_ROLES, LAB_ROLES

router = Router(tags=["cases"])


class LabResultIn(Schema):
    lab: ApiText(Sample, "lab", min_length=1)
    sample_id: ApiText(Sample, "lab_sample_id", min_length=1)
    kind: Literal[tuple(Kind.values)]
    positive: bool
    taken_at: ApiDateTime
    full_name: ApiText(Person, "full_name", min_length=1)
    birth_year: int | None = Field(None, ge=YEAR_MIN, le=YEAR_MAX)
    phone: ApiText(length=PHONE_INPUT_MAX_LENGTH) = ""
    id_number: ApiText(length=ID_NUMBER_INPUT_MAX_LENGTH) = ""
    address: ApiText(Person, "address") = ""
    commune_code: ApiText(AdminUnit, "code")
    detection: Literal[tuple(DetectionSetting.values)] = DetectionSetting.COMMUNITY


class LabResultOut(Schema):
    result_id: int
    created: bool
    case_id: int | None
    case_status: str | None


class CaseSummaryOut(Schema):
    case_id: int
    status: str
    status_label: str
    severity: str
    commune_id: int
    open_danger_alerts: int
    last_check_at: datetime | None
    url: str


def _require(request, roles) -> None:
    if not request.user.has_role(*roles):
        raise HttpError(403, "Không có quyền.")


@router.post("/lab-results", response=responses({200: LabResultOut, 201: LabResultOut}, 413))
def lab_result(request, payload: LabResultIn):
    """Record a test result. Posting the same (lab, sample_id) again returns the first
    record with `created: false` (200) instead of making a second one."""
    _require(request, LAB_ROLES)
    unit = request.user.jurisdiction
    commune = AdminUnit.objects.filter(
        code=payload.commune_code, kind=AdminUnit.Kind.COMMUNE
    ).first()
    if commune is None or unit is None or not commune.is_within(unit):
        raise HttpError(422, "Mã xã không thuộc địa bàn của tài khoản.")
    try:
        result, created = services.lab_result_record(
            by=request.user,
            lab=payload.lab,
            sample_id=payload.sample_id,
            kind=payload.kind,
            positive=payload.positive,
            taken_at=payload.taken_at,
            person_data=services.PersonData(
                full_name=payload.full_name,
                birth_year=payload.birth_year,
                phone=payload.phone,
                id_number=payload.id_number,
                address=payload.address,
            ),
            commune=commune,
            detection=payload.detection,
        )
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages)) from None
    case = result.case
    if case is not None and not MatchScope.for_caller(request.user).contains(case.commune):
        case = None  # the answer names only what this account could open itself
    return Status(
        201 if created else 200,
        {
            "result_id": result.pk,
            "created": created,
            "case_id": case.pk if case else None,
            "case_status": case.status if case else None,
        },
    )


@router.get("/{case_id}/summary", response=responses({200: CaseSummaryOut}, 404))
def case_summary(request, case_id: int = Path(..., ge=1, le=ID_MAX)):
    _require(request, CASE_ROLES)
    try:
        case = selectors.case_get(request.user, case_id)
    except Http404:
        raise HttpError(404, "Không tìm thấy.") from None
    audit_read(actor=request.user, target=case, action="cases.api_summary")
    summary = selectors.case_summary_for_person(case.person)
    if summary is None or summary["case_id"] != case.pk:
        # A closed case: summarise it as it stands.
        summary = {
            "case_id": case.pk,
            "status": case.status,
            "status_label": str(case.get_status_display()),
            "severity": case.severity,
            "commune_id": case.commune_id,
            "open_danger_alerts": case.open_danger_alerts,
            "last_check_at": case.last_check_at,
            "url": f"/cases/{case.pk}/",
        }
    return summary
