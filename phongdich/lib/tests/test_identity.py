import pytest
from django.core.exceptions import ValidationError

from phongdich.lib.identity import (
    cccd_birth_year,
    cccd_sex,
    format_phone,
    normalize_phone,
    validate_id_number,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("(098) 765-4321", "+84987654321"),
        ("912345678", "+84912345678"),
        ("0321234567", "+84321234567"),  # Viettel 03x after the 2018 renumbering
        ("0559876543", "+84559876543"),
    ],
)
def test_it_normalises_vietnamese_mobiles(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("091234567", "phone"),  # 9 digits with leading 0
        ("09123456789", "phone"),  # 11 digits
        ("0112345678", "phone_prefix"),  # 011 is not a mobile prefix
        ("0241234567", "phone_prefix"),  # Hà Nội landline area code
        ("", "phone"),
        ("abc", "phone"),
    ],
)
def test_it_rejects_bad_phones_with_a_reason(raw, code):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert exc.value.code == code


def test_it_formats_phones_for_display():
    assert format_phone("+84912345678") == "0912 345 678"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("038090001234", "038090001234"),
        ("038 090 001 234", "038090001234"),
        ("001199000001", "001199000001"),
        ("123456789", "123456789"),  # old CMND
    ],
)
def test_it_accepts_cccd_and_cmnd(raw, expected):
    assert validate_id_number(raw) == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("03809000123", "id_length"),
        ("0380900012345", "id_length"),
        ("000090001234", "id_province"),
        ("097090001234", "id_province"),
        ("", "id_length"),
    ],
)
def test_it_rejects_bad_id_numbers(raw, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(raw)
    assert exc.value.code == code


@pytest.mark.parametrize(
    "cccd, year, sex",
    [
        ("038090001234", 1990, "M"),
        ("038185001234", 1985, "F"),
        ("038205001234", 2005, "M"),
        ("038310001234", 2010, "F"),
    ],
)
def test_it_reads_birth_year_and_sex_from_cccd(cccd, year, sex):
    assert cccd_birth_year(cccd) == year
    assert cccd_sex(cccd) == sex
