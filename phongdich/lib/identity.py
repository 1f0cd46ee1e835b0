"""Validation of Vietnamese phone numbers and identity card numbers."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Mobile prefixes in use after the 2018 renumbering (Viettel, Vinaphone, MobiFone,
# Vietnamobile, Gmobile, Itelecom, Reddi/Wintel). Numbers are 10 digits with the leading 0.
MOBILE_PREFIXES = frozenset(
    "032 033 034 035 036 037 038 039 086 096 097 098 "  # Viettel
    "081 082 083 084 085 088 091 094 "  # Vinaphone
    "070 076 077 078 079 089 090 093 "  # MobiFone
    "052 056 058 092 "  # Vietnamobile
    "059 099 "  # Gmobile
    "087 "  # Itelecom
    "055".split()  # Reddi
)
_DIGITS = re.compile(r"\D")


def normalize_phone(raw: str) -> str:
    """Return a Vietnamese mobile number as +84XXXXXXXXX, or raise ValidationError.

    Accepts the forms people actually type: 0912 345 678, +84 912345678, 84912345678,
    (091) 234-5678.
    """
    digits = _DIGITS.sub("", raw or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits
    if len(digits) != 10 or not digits.startswith("0"):
        raise ValidationError(
            _("Số điện thoại phải có 10 chữ số, ví dụ 0912 345 678."), code="phone"
        )
    if digits[:3] not in MOBILE_PREFIXES:
        raise ValidationError(
            _("Đầu số %(prefix)s không phải đầu số di động Việt Nam.") % {"prefix": digits[:3]},
            code="phone_prefix",
        )
    return "+84" + digits[1:]


def format_phone(normalized: str) -> str:
    """+84912345678 → 0912 345 678 for display."""
    if not normalized or not normalized.startswith("+84"):
        return normalized or ""
    local = "0" + normalized[3:]
    return f"{local[:4]} {local[4:7]} {local[7:]}"


def validate_id_number(raw: str) -> str:
    """Return a CCCD (12 digits) or old CMND (9 digits) as digits only, or raise.

    A CCCD starts with the 3-digit code of the province of birth registration (001–096),
    then a digit for century and sex (0–9), then two digits of birth year.
    """
    digits = _DIGITS.sub("", raw or "")
    if len(digits) == 9:
        return digits
    if len(digits) != 12:
        raise ValidationError(_("Số CCCD phải có 12 chữ số (CMND cũ: 9 chữ số)."), code="id_length")
    province = int(digits[:3])
    if not 1 <= province <= 96:
        raise ValidationError(_("Mã tỉnh trong số CCCD không hợp lệ."), code="id_province")
    return digits


def cccd_birth_year(cccd: str) -> int | None:
    """Birth year encoded in a CCCD (digit 4 gives century and sex, digits 5–6 the year)."""
    if len(cccd) != 12:
        return None
    century = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100}.get(int(cccd[3]))
    return century + int(cccd[4:6]) if century is not None else None


def cccd_sex(cccd: str) -> str | None:
    """'M' or 'F' from the CCCD's century-and-sex digit (even = male)."""
    if len(cccd) != 12:
        return None
    return "M" if int(cccd[3]) % 2 == 0 else "F"
