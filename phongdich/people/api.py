from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError

from phongdich.accounts.permissions import PERSONAL_DATA_ROLES
from phongdich.audit.services import audit_read

from . import selectors
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

    @staticmethod
    def resolve_id_number(obj: Person) -> str | None:
        return obj.id_shown or None

    @staticmethod
    def resolve_commune_code(obj: Person) -> str | None:
        return obj.commune.code if obj.commune_id else None


def _require_personal_data_role(request) -> None:
    if not request.user.has_role(*PERSONAL_DATA_ROLES):
        raise HttpError(403, "Không có quyền xem dữ liệu cá nhân.")


@router.get("/", response=list[PersonOut])
def search(request, q: str):
    """Search people by name (with or without diacritics), phone or CCCD."""
    _require_personal_data_role(request)
    return selectors.person_search(request.user, q)


@router.get("/{person_id}", response=PersonOut)
def detail(request, person_id: int):
    _require_personal_data_role(request)
    try:
        person = selectors.person_get(request.user, person_id)
    except Person.DoesNotExist:
        raise Http404 from None
    audit_read(actor=request.user, target=person)
    return person
