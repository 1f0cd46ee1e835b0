from django.http import Http404
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError

from phongdich.accounts.permissions import PERSONAL_DATA_ROLES
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.lib.apierrors import responses
from phongdich.lib.bounds import ID_MAX, NO_NUL_PATTERN, SEARCH_MAX_LENGTH

from . import need_to_know, selectors
from .models import Person

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    full_name: str
    birth_year: int | None
    sex: str
    phone: str
    id_number: str | None
    commune_code: str | None

    # Identifiers as need_to_know lets this user see them (set by need_to_know.present;
    # nothing if it was not called).
    @staticmethod
    def resolve_phone(obj: Person) -> str:
        return getattr(obj, "shown_phone_raw", "")

    @staticmethod
    def resolve_id_number(obj: Person) -> str | None:
        return getattr(obj, "shown_id_number", "") or None

    @staticmethod
    def resolve_commune_code(obj: Person) -> str | None:
        return obj.commune.code if obj.commune_id else None


def _require_personal_data_role(request) -> None:
    if not request.user.has_role(*PERSONAL_DATA_ROLES):
        raise HttpError(403, "Không có quyền xem dữ liệu cá nhân.")


@router.get("/", response=responses({200: list[PersonOut]}))
def search(
    request,
    q: str = Query(..., max_length=SEARCH_MAX_LENGTH, pattern=NO_NUL_PATTERN),
):
    """Search people by name (with or without diacritics), phone or CCCD."""
    _require_personal_data_role(request)
    results = selectors.person_search(request.user, q)
    audit_read_many(actor=request.user, action="people.api_search", records=results)
    return need_to_know.present(results, request.user)


@router.get("/{person_id}", response=responses({200: PersonOut}, 404))
def detail(request, person_id: int = Path(..., ge=1, le=ID_MAX)):
    _require_personal_data_role(request)
    try:
        person = selectors.person_get(request.user, person_id)
    except Person.DoesNotExist:
        raise Http404 from None
    audit_read(actor=request.user, target=person, action="people.api_read")
    return need_to_know.present([person], request.user)[0]
