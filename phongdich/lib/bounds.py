"""Bounds on input, taken from the models so a form or an API schema never holds a second
copy of a column's length.

A string longer than its column is a 500 on PostgreSQL (SQLite stores any length), and so
is a NUL character in any text, an id past the 64-bit range, or a date Python cannot move
into Asia/Ho_Chi_Minh. Forms and schemas refuse all of these at the edge:

- `max_length(Model, "field")` is the column's length, for `forms.Form` fields;
- `ApiText(...)`, `ApiId`, `ApiDate`, `ApiDateTime` are the same bounds for ninja Schemas,
  whose strings (unlike Django's form CharField) accept NUL unless told otherwise.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# Free text kept in a TextField (a ticket, a report's commentary, a reply): room for any
# message a person types; a request can still not fill the database.
TEXT_MAX_LENGTH = 4000
# Free text that may run to pages (a unit's progress report on a directive, a review).
LONG_TEXT_MAX_LENGTH = 20_000
# A whole directive pasted into the import form: the longest conclusion so far is ~60 pages.
DOCUMENT_MAX_LENGTH = 500_000
# A phone number as typed ("0912 345 678", "+84 912-345-678"); it is stored normalised.
PHONE_INPUT_MAX_LENGTH = 20
# A CCCD/CMND as typed ("038 090 012 345"); people.Person stores the digits only.
ID_NUMBER_INPUT_MAX_LENGTH = 20
# A field only bots fill (hidden from people); what they put there is never stored.
HONEYPOT_MAX_LENGTH = 200
# A search box: longer than any name, phone or CCCD it can match.
SEARCH_MAX_LENGTH = 120
# BigAutoField's range: a larger id is no row, not a database error.
ID_MAX = 2**63 - 1
# Paging by offset deeper than this is a crawl, not a person reading a queue.
OFFSET_MAX = 100_000
# Dates a person may mean: birth years, test and travel dates (Python's datetime reaches
# year 9999, where moving to UTC+7 overflows).
YEAR_MIN, YEAR_MAX = 1900, 2100

# JSON Schema and pydantic both read this as "no NUL anywhere".
NO_NUL_PATTERN = r"^[^\x00]*$"


def max_length(model: type[models.Model], field_name: str) -> int:
    """The declared length of `model.field_name`; a TextField has none, so it gets
    TEXT_MAX_LENGTH."""
    field = model._meta.get_field(field_name)
    if field.max_length is not None:
        return field.max_length
    if isinstance(field, models.TextField):
        return TEXT_MAX_LENGTH
    raise ImproperlyConfigured(f"{model.__name__}.{field_name} has no length")


def pk_or_none(value) -> int | None:
    """A record id read from raw request data ("12"), or None for anything that cannot be
    one: text, zero, negative, past BigAutoField's range. The ORM raises ValueError on
    text, so a view that filters by a raw value would answer 500."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def ApiText(  # noqa: N802 (used as a type in Schema annotations)
    model: type[models.Model] | None = None,
    field_name: str | None = None,
    *,
    length: int | None = None,
    min_length: int = 0,
    **field_kwargs: Any,
) -> Any:
    """A schema string bounded like `model.field_name` (or `length`), without NUL."""
    bound = length if length is not None else max_length(model, field_name)
    return Annotated[
        str,
        Field(min_length=min_length, max_length=bound, pattern=NO_NUL_PATTERN, **field_kwargs),
    ]


def _year_in_range(value):
    if value is not None and not (YEAR_MIN <= value.year <= YEAR_MAX):
        raise PydanticCustomError(
            "year_out_of_range",
            "year outside {year_min}–{year_max}",
            {"year_min": YEAR_MIN, "year_max": YEAR_MAX},
        )
    return value


ApiId = Annotated[int, Field(ge=1, le=ID_MAX)]
ApiDate = Annotated[date, AfterValidator(_year_in_range)]
ApiDateTime = Annotated[datetime, AfterValidator(_year_in_range)]


class SeparatedNamesField(forms.CharField):
    """Names typed in one box, separated by `separators` ("Sở Y tế; Công an tỉnh"): each
    name becomes a row, so each is bounded by that row's column (`item_max_length`)."""

    def __init__(self, *, item_max_length: int, separators: str = r";", **kwargs):
        kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
        super().__init__(**kwargs)
        self.item_max_length = item_max_length
        self.separators = re.compile(separators)

    def validate(self, value):
        super().validate(value)
        for name in self.separators.split(value or ""):
            if len(name.strip()) > self.item_max_length:
                raise ValidationError(
                    _("Mỗi tên tối đa %(limit)d ký tự (tên quá dài: “%(start)s…”)."),
                    code="item_too_long",
                    params={"limit": self.item_max_length, "start": name.strip()[:40]},
                )


def validate_year(value) -> None:
    """Refuse a date outside YEAR_MIN–YEAR_MAX: year 1 or 9999 is a typo, and moving it
    across the UTC offset (or adding days to it) overflows Python's datetime."""
    if value is not None and not (YEAR_MIN <= value.year <= YEAR_MAX):
        raise ValidationError(
            _("Năm phải từ %(min)s đến %(max)s."),
            code="year_out_of_range",
            params={"min": YEAR_MIN, "max": YEAR_MAX},
        )


class BoundedDateField(forms.DateField):
    default_validators = [validate_year]


class BoundedDateTimeField(forms.DateTimeField):
    default_validators = [validate_year]


def parse_day(raw: str, fmt: str) -> date | None:
    """A day typed into a filter (`?day=15/01/2022`), or None if it is not one or lies
    outside YEAR_MIN–YEAR_MAX."""
    try:
        day = datetime.strptime((raw or "").strip(), fmt).date()
    except ValueError:
        return None
    return day if YEAR_MIN <= day.year <= YEAR_MAX else None
