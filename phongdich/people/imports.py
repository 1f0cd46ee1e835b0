"""The columns that identify a person in every uploaded table (doses, contacts, lab rows):
one definition, so a header variant or a bound added here holds for every import."""

from django.utils.translation import gettext_lazy

from phongdich.lib import imports
from phongdich.lib.identity import normalize_phone, validate_id_number

from .models import Person

SEX_WORDS = {"nam": "M", "m": "M", "nu": "F", "f": "F"}


def full_name_column() -> imports.Column:
    return imports.Column(
        "full_name",
        gettext_lazy("Họ và tên"),
        headers=("họ và tên", "họ tên"),
        required=True,
        max_length=imports.model_max_length(Person, "full_name"),
    )


def sex_column() -> imports.Column:
    return imports.Column(
        "sex",
        gettext_lazy("Giới tính"),
        headers=("giới tính",),
        max_length=3,
        parse=imports.parse_choice(SEX_WORDS, gettext_lazy("phải là Nam hoặc Nữ")),
    )


def phone_column() -> imports.Column:
    return imports.Column(
        "phone",
        gettext_lazy("Số điện thoại"),
        headers=("số điện thoại", "sđt", "điện thoại"),
        max_length=20,
        parse=normalize_phone,
    )


def id_number_column() -> imports.Column:
    return imports.Column(
        "id_number",
        gettext_lazy("CCCD"),
        headers=("cccd", "cmnd", "cccd/cmnd"),
        max_length=20,
        parse=validate_id_number,
    )
