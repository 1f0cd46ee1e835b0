"""Vaccination API: doses posted by the national platform or a site's software (one or up to
500 per request), and a person's doses.

A posted dose goes through `services.dose_record` like a typed one: matched to a person by
the people registry inside the token's jurisdiction, or queued for staff (never attached to
a guess, never creating a person). The source's own id (`source_id`) identifies a dose: a
resend, a retry after a timeout, or the same dose posted twice at once records it once and
answers with the same dose (or review) id. Each dose is decided on its own: a bad one is
answered with its errors by its index, and the others are recorded."""

from datetime import date
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError

from phongdich.audit.services import audit_read
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import communes_within
from phongdich.lib import ratelimit
from phongdich.lib.apierrors import responses
from phongdich.lib.bounds import (
    ID_MAX,
    ID_NUMBER_INPUT_MAX_LENGTH,
    PHONE_INPUT_MAX_LENGTH,
    ApiDate,
    ApiText,
)
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.lib.text import fold
from phongdich.people import selectors as people_selectors
from phongdich.people.models import Person

from . import services
from .imports import product_words
from .models import Dose, SiteKind, Source
from .permissions import RECORD_ROLES

router = Router(tags=["vaccination"])

MAX_DOSES_PER_REQUEST = 500


class DoseIn(Schema):
    source_id: ApiText(Dose, "source_id", min_length=1)
    full_name: ApiText(Person, "full_name", min_length=1)
    birth_date: ApiDate | None = None
    birth_year: int | None = Field(None, ge=1900, le=2100)
    sex: Literal["M", "F", ""] = ""
    phone: ApiText(length=PHONE_INPUT_MAX_LENGTH) = ""
    id_number: ApiText(length=ID_NUMBER_INPUT_MAX_LENGTH) = ""
    commune_code: ApiText(AdminUnit, "code", min_length=1)
    vaccine: ApiText(length=120, min_length=1)
    dose_number: int = Field(..., ge=1, le=6)
    given_on: ApiDate
    site_kind: Literal[tuple(SiteKind.values)] = SiteKind.FIXED
    site_name: ApiText(Dose, "site_name") = ""
    lot: ApiText(Dose, "lot") = ""


class DosesIn(Schema):
    doses: list[DoseIn] = Field(..., min_length=1, max_length=MAX_DOSES_PER_REQUEST)


class DoseResult(Schema):
    index: int  # position in `doses`
    source_id: str
    # recorded: attached to a person; queued: waiting for staff to find the person;
    # unchanged: this source id was recorded before; error: not recorded (see errors).
    status: Literal["recorded", "queued", "unchanged", "error"]
    dose_id: int | None = None
    review_id: int | None = None
    errors: list[str] = []


class DosesOut(Schema):
    recorded: int
    queued: int
    unchanged: int
    failed: int
    results: list[DoseResult]


class DoseOut(Schema):
    id: int
    vaccine: str
    dose_number: int
    kind: str
    given_on: date
    site_kind: str
    site_name: str
    lot: str
    source: str
    source_id: str
    flags: list[str]

    @staticmethod
    def resolve_vaccine(obj: Dose) -> str:
        return obj.product.code

    @staticmethod
    def resolve_flags(obj: Dose) -> list[str]:
        return obj.flag_list


class PersonDosesOut(Schema):
    person_id: int
    status: str  # rules: not_vaccinated, partly, fully, boosted
    next_dose_number: int | None
    next_dose_from: date | None
    doses: list[DoseOut]


def _require(request) -> None:
    if not request.user.has_role(*RECORD_ROLES):
        raise HttpError(403, _("Không có quyền."))


# Requests per account per minute. A province's platform sending 500 doses a request at the
# posting limit moves 60,000 doses a minute, far above any day's real flow; a runaway
# client's retry loop (or a leaked token reading records) stops at the limit instead of
# filling the review queue or walking the registry. Settings raise it for a bulk backfill.
POST_LIMIT_PER_MINUTE = 120
READ_LIMIT_PER_MINUTE = 300


def _throttle(request, scope: str, setting: str, default: int) -> None:
    """429 once the account has made more than the limit's calls to `scope` this minute.

    Keyed on the account, not the address: the platform's calls come through one gateway
    address shared with other callers, and a token is what identifies the sender."""
    limit = int(getattr(settings, setting, default))
    if not ratelimit.allow_key(
        f"vaccination-api.{scope}:{request.user.pk}", limit=limit, window_seconds=60
    ):
        raise HttpError(429, _("Gửi quá nhiều lần, thử lại sau ít phút."))


def _check(item: DoseIn, communes: dict, products: dict) -> tuple[dict, list[str]]:
    """The import's checks (`imports.row_check` and its columns), on one posted dose."""
    errors, values = [], {}
    values["commune"] = communes.get(item.commune_code.zfill(5))
    if values["commune"] is None:
        errors.append(
            _("Mã xã: xã %(code)s không thuộc địa bàn của bạn") % {"code": item.commune_code}
        )
    values["product"] = products.get(fold(item.vaccine))
    if values["product"] is None:
        errors.append(
            _("Vắc xin: không có trong danh mục (“%(name)s”)") % {"name": item.vaccine[:60]}
        )
    today = timezone.localdate()
    if item.given_on > today:
        errors.append(f"given_on: {_('ở tương lai')}")
    elif item.given_on.year < 2020:
        errors.append(f"given_on: {_('trước năm 2020')}")
    year = item.birth_year or (item.birth_date.year if item.birth_date else None)
    if year is not None and not 1900 <= year <= today.year:
        errors.append(f"birth_year: {_('ngoài khoảng 1900 đến nay')}")
    values["birth_year"] = year
    for field, clean in (("phone", normalize_phone), ("id_number", validate_id_number)):
        raw = getattr(item, field)
        try:
            values[field] = (clean(raw) or "") if raw else ""
        except ValidationError as exc:
            errors.append(f"{field}: {' '.join(exc.messages)}")
    if not (item.phone or item.id_number or year):
        errors.append(_("Cần số CCCD, số điện thoại hoặc ngày/năm sinh"))
    return values, errors


def _record(request, index: int, item: DoseIn, communes, products, current) -> DoseResult:
    result = DoseResult(index=index, source_id=item.source_id, status="error")
    values, errors = _check(item, communes, products)
    if errors:
        result.errors = errors
        return result
    try:
        outcome = services.dose_record(
            by=request.user,
            identity=services.Identity(
                full_name=item.full_name,
                commune=values["commune"],
                birth_year=values["birth_year"],
                birth_date=item.birth_date,
                sex=item.sex,
                phone=values["phone"],
                id_number=values["id_number"],
            ),
            dose=services.DoseInput(
                product=values["product"],
                dose_number=item.dose_number,
                given_on=item.given_on,
                site_kind=item.site_kind,
                site_name=item.site_name,
                lot=item.lot,
                source=Source.API,
                source_id=item.source_id,
            ),
            current=current,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        result.errors = list(messages)
        return result
    result.dose_id = outcome.dose.pk if outcome.dose else None
    result.review_id = outcome.review.pk if outcome.review else None
    if not outcome.created:
        result.status = "unchanged"
    else:
        result.status = "recorded" if outcome.dose else "queued"
    return result


@router.post("/doses", response=responses({200: DosesOut}, 413, 429))
def doses_post(request, payload: DosesIn):
    """Record doses (1 to 500 per request). Each is matched to a person inside the account's
    jurisdiction or queued for staff; `results` answers each by its index. Sending a
    `source_id` again records nothing new and answers with the same ids (`unchanged`).
    At most VACCINATION_API_POST_LIMIT requests per account and minute (429 beyond)."""
    _require(request)
    _throttle(request, "post", "VACCINATION_API_POST_LIMIT", POST_LIMIT_PER_MINUTE)
    communes = {u.code: u for u in communes_within(request.user.jurisdiction)}
    products = product_words()
    current = services.policy()
    results = [
        _record(request, index, item, communes, products, current)
        for index, item in enumerate(payload.doses)
    ]
    count = {s: sum(r.status == s for r in results) for s in ("recorded", "queued", "unchanged")}
    return {**count, "failed": sum(r.status == "error" for r in results), "results": results}


@router.get(
    "/people/{person_id}/doses", response=responses({200: PersonDosesOut}, 404, 429)
)  # fmt: skip
def person_doses(request, person_id: int = Path(..., ge=1, le=ID_MAX)):
    """A person's doses and vaccination status today (a read of personal data: audited).
    404 for a person outside the account's jurisdiction, as for one that does not exist.
    At most VACCINATION_API_READ_LIMIT reads per account and minute (429 beyond)."""
    _require(request)
    _throttle(request, "read", "VACCINATION_API_READ_LIMIT", READ_LIMIT_PER_MINUTE)
    try:
        person = people_selectors.person_get(request.user, person_id)
    except Person.DoesNotExist:
        raise Http404 from None
    doses = services.person_doses(person)
    status = services.person_status(person, doses=doses)
    audit_read(actor=request.user, target=person, action="vaccination.api_doses")
    return {
        "person_id": person.pk,
        "status": status.status,
        "next_dose_number": status.next.dose_number,
        "next_dose_from": status.next.earliest,
        "doses": doses,
    }
