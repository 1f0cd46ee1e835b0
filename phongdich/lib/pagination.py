"""Keyset pagination for long lists, in any stable order.

OFFSET pages read and throw away every row before the page (page 200 of a province's
queue read 20,000 rows), and a page count needs COUNT(*) over the whole list (843 ms for the
audit log at 1.5 million events). A keyset page asks for the rows that sort after the last
one shown (`?next=<cursor>`) or before the first (`?prev=<cursor>`): the database seeks to
the cursor instead of counting its way there, whatever the depth. The total is counted up
to `cap` only, and shown as "more than".

The order is a list of `Key`s ending in the primary key, so it is total: two rows never
tie, and a row can neither repeat across pages nor fall between two. A cursor carries the
sort values of its row (an id alone when the order is the id), so it stays valid when rows
are added or removed; a cursor that does not decode (typed by hand, from an older order)
reads the first page, never an error.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import BooleanField, F, Field, Q, QuerySet

COUNT_CAP = 10_000
CURSOR_MAX_LENGTH = 400  # longer than any cursor we write; past it the value is junk


@dataclass(frozen=True)
class Key:
    """One sort key. `nulls_first` says where NULL sorts for a nullable column; it is
    written into the ORDER BY so SQLite and PostgreSQL agree. `field` types a key that is
    an annotation of the queryset rather than a column ("needs attention first" is
    `calm=Q(attention_at__isnull=True)` with `field=BooleanField()`): the cursor's value is
    parsed and compared as that field."""

    name: str
    descending: bool = False
    nulls_first: bool = False
    field: Field | None = field(default=None, compare=False)

    def reversed(self) -> "Key":
        return Key(self.name, not self.descending, not self.nulls_first, self.field)


NEWEST_FIRST = (Key("pk", descending=True),)


@dataclass
class KeysetPage:
    items: list
    next: str | None  # pass as ?next= to read the page after this one
    prev: str | None  # pass as ?prev= to read the page before this one
    count: int
    capped: bool
    # The query-string pair that reads this same page again (an htmx refresh keeps its
    # place in the list): "" on the first page.
    here: str = ""
    keys: tuple = field(default=NEWEST_FIRST, repr=False)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def object_list(self) -> list:
        # Django's Page calls its rows this; code written for either reads both.
        return self.items

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next or self.prev)


def _field(model, name: str, annotated: Field | None = None):
    if annotated is not None:
        return annotated
    if name == "pk":
        return model._meta.pk
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        # A related column ("person__name") is not used for keyset orders here.
        raise ValueError(f"keyset key {name!r} is not a column of {model.__name__}") from None


def _value_of(row, key: Key):
    return row.pk if key.name == "pk" else getattr(row, key.name)


def encode_cursor(row, keys) -> str:
    values = [_value_of(row, key) for key in keys]
    if len(keys) == 1 and keys[0].name == "pk":
        return str(values[0])
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(model, keys, raw) -> list | None:
    """The cursor's values, typed as their columns, or None for anything else."""
    if not raw or not isinstance(raw, str) or len(raw) > CURSOR_MAX_LENGTH:
        return None
    try:
        if len(keys) == 1 and keys[0].name == "pk":
            values = [raw]
        else:
            values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        typed = []
        for key, value in zip(keys, values, strict=True):
            column = _field(model, key.name, key.field)
            if value is None:
                if not column.null:
                    return None
                typed.append(None)
                continue
            if isinstance(value, bool) != isinstance(column, BooleanField):
                return None  # true/false only for a boolean key, and nothing else for it
            if not isinstance(value, int | str | float):
                return None
            value = column.to_python(value)
            if isinstance(value, int) and not -(2**63) < value < 2**63:
                return None
            if key.name == "pk" and not (isinstance(value, int) and value > 0):
                return None
            typed.append(value)
        return typed
    except (ValueError, TypeError, ValidationError, json.JSONDecodeError):
        return None


def _beyond(key: Key, value, nullable: bool) -> Q:
    """Rows whose `key` sorts strictly after `value`."""
    if value is None:
        # NULLs first: every non-NULL follows; NULLs last: nothing does.
        return Q(**{f"{key.name}__isnull": False}) if key.nulls_first else Q(pk__in=[])
    after = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
    if nullable and not key.nulls_first:
        after |= Q(**{f"{key.name}__isnull": True})
    return after


def _equal(key: Key, value) -> Q:
    if value is None:
        return Q(**{f"{key.name}__isnull": True})
    return Q(**{key.name: value})


def after_filter(model, keys, values) -> Q:
    """Rows that sort strictly after the row whose sort values are `values`, as
    (k1 beyond v1) or (k1 = v1 and k2 beyond v2) or … — portable SQL. The first key's
    bound is repeated outside the OR (k1 ≥ v1, when no NULL can follow v1), which is the
    condition an index on k1 starts its range scan at."""
    nullable = [key.name != "pk" and _field(model, key.name, key.field).null for key in keys]
    condition = Q(pk__in=[])
    prefix = Q()
    for key, value, can_be_null in zip(keys, values, nullable, strict=True):
        condition |= prefix & _beyond(key, value, can_be_null)
        prefix &= _equal(key, value)
    first, value = keys[0], values[0]
    if len(keys) > 1 and value is not None and (not nullable[0] or first.nulls_first):
        bound = Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value})
        condition = bound & condition
    return condition


def keyset_order(model, keys) -> list:
    """The ORDER BY terms for `keys`, NULLs placed explicitly (SQLite and PostgreSQL differ)."""
    terms = []
    for key in keys:
        nullable = key.name != "pk" and _field(model, key.name, key.field).null
        expression = F(key.name)
        if nullable:
            nulls = {"nulls_first": True} if key.nulls_first else {"nulls_last": True}
            terms.append(expression.desc(**nulls) if key.descending else expression.asc(**nulls))
        else:
            terms.append(expression.desc() if key.descending else expression.asc())
    return terms


def keyset_page(
    qs: QuerySet,
    *,
    keys=NEWEST_FIRST,
    next=None,  # noqa: A002 - the query-string name, read as "the page after"
    prev=None,
    size: int = 50,
    cap: int = COUNT_CAP,
    count: int | None = None,
) -> KeysetPage:
    """One page of `qs` in the order `keys` (which must end with "pk"). `next` and `prev`
    come straight from the query string. `count`, when the caller has a precomputed
    figure, replaces the capped count."""
    keys = tuple(keys)
    if not keys or keys[-1].name != "pk":
        raise ValueError("a keyset order must end with the primary key")
    model = qs.model
    base = qs.order_by()
    after_values = decode_cursor(model, keys, next)
    before_values = None if after_values is not None else decode_cursor(model, keys, prev)
    items: list = []
    has_next = has_prev = False
    here = ""
    if before_values is not None:
        backwards = tuple(key.reversed() for key in keys)
        rows = list(
            base.filter(after_filter(model, backwards, before_values)).order_by(
                *keyset_order(model, backwards)
            )[: size + 1]
        )
        if len(rows) > size:
            items = list(reversed(rows[:size]))
            has_prev, has_next = True, True
            here = f"prev={prev}"
    if not items and after_values is not None:
        rows = list(
            base.filter(after_filter(model, keys, after_values)).order_by(
                *keyset_order(model, keys)
            )[: size + 1]
        )
        items, has_next, has_prev = rows[:size], len(rows) > size, True
        here = f"next={next}"
    if not items:
        # The first page, also when a "previous" page would be short: it is the same rows.
        rows = list(base.order_by(*keyset_order(model, keys))[: size + 1])
        items, has_next, has_prev, here = rows[:size], len(rows) > size, False, ""
    if count is None:
        counted = base[: cap + 1].count()
        count, capped = min(counted, cap), counted > cap
    else:
        capped = False
    return KeysetPage(
        items=items,
        next=encode_cursor(items[-1], keys) if items and has_next else None,
        prev=encode_cursor(items[0], keys) if items and has_prev else None,
        count=count,
        capped=capped,
        here=here,
        keys=keys,
    )
