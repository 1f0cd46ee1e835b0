"""Keyset pages: every row exactly once, in order, both ways, at every boundary."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.geo.models import AdminUnit
from phongdich.lib.pagination import (
    Key,
    decode_cursor,
    encode_cursor,
    keyset_order,
    keyset_page,
)

pytestmark = pytest.mark.django_db

# Ties on every key but the last, and NULLs, so each branch of the seek condition is used.
POPULATIONS = [None, 5, 5, None, 7, 1, 5, None, 7, 1, 3]
NAMES = ["b", "a", "a", "a", "c", "b", "b", "c", "a", "a", "b"]

ORDERS = {
    "population desc, NULL first": (
        Key("population", descending=True, nulls_first=True),
        Key("name"),
        Key("pk"),
    ),
    "population desc, NULL last": (Key("population", descending=True), Key("name"), Key("pk")),
    "population asc, NULL first": (
        Key("population", nulls_first=True),
        Key("name", descending=True),
        Key("pk"),
    ),
    "population asc, NULL last": (Key("population"), Key("name"), Key("pk", descending=True)),
    "id only, newest first": (Key("pk", descending=True),),
}


@pytest.fixture
def units():
    made = [
        AdminUnit.objects.create(
            code=f"T{n}", name=name, kind="commune", path=f"/t{n}/", population=population
        )
        for n, (population, name) in enumerate(zip(POPULATIONS, NAMES, strict=True))
    ]
    return AdminUnit.objects.filter(pk__in=[u.pk for u in made])


def _walk_forward(qs, keys, size):
    page = keyset_page(qs, keys=keys, size=size)
    seen, pages = list(page), [page]
    while page.next:
        page = keyset_page(qs, keys=keys, next=page.next, size=size)
        seen += list(page)
        pages.append(page)
    return seen, pages


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("size", [1, 2, 3, 10, 11, 12])
def test_pages_forward_then_back_give_every_row_once_in_order(units, order, size):
    keys = ORDERS[order]
    expected = list(units.order_by(*keyset_order(AdminUnit, keys)))
    seen, pages = _walk_forward(units, keys, size)
    assert [u.pk for u in seen] == [u.pk for u in expected]
    assert pages[0].prev is None and pages[-1].next is None
    assert len(pages) == -(-len(expected) // size)
    # Back from the last page: each "previous" page is the page that led here.
    page = pages[-1]
    for earlier in reversed(pages[:-1]):
        page = keyset_page(units, keys=keys, prev=page.prev, size=size)
        assert [u.pk for u in page] == [u.pk for u in earlier]
    assert page.prev is None


def test_rows_added_before_the_cursor_do_not_shift_the_next_page(units):
    keys = ORDERS["population desc, NULL last"]
    first = keyset_page(units, keys=keys, size=4)
    second = keyset_page(units, keys=keys, next=first.next, size=4)
    AdminUnit.objects.create(code="T99", name="a", kind="commune", path="/t99/", population=9)
    again = keyset_page(
        AdminUnit.objects.filter(code__startswith="T"), keys=keys, next=first.next, size=4
    )
    assert [u.pk for u in again] == [u.pk for u in second]


def test_a_short_previous_page_reads_as_the_first_page(units):
    keys = ORDERS["id only, newest first"]
    first = keyset_page(units, keys=keys, size=4)
    second = keyset_page(units, keys=keys, next=first.next, size=4)
    back = keyset_page(units, keys=keys, prev=second.prev, size=4)
    assert [u.pk for u in back] == [u.pk for u in first] and back.prev is None
    assert back.here == ""  # the first page: a refresh adds no cursor


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "abc",
        "-5",
        "0",
        "99999999999999999999999",
        "x" * 5000,
        "W10",
        "WzFd",
        "W1sxXSwyLDNd",
        "bnVsbA",
    ],
)
def test_a_cursor_that_does_not_decode_reads_the_first_page(units, junk):
    for keys in ORDERS.values():
        first = [u.pk for u in keyset_page(units, keys=keys, size=3)]
        assert [u.pk for u in keyset_page(units, keys=keys, next=junk, size=3)] == first
        assert [u.pk for u in keyset_page(units, keys=keys, prev=junk, size=3)] == first


def test_a_cursor_with_null_for_a_column_that_cannot_be_null_is_refused(units):
    keys = (Key("name"), Key("pk"))
    row = units.first()
    row.name = None
    assert decode_cursor(AdminUnit, keys, encode_cursor(row, keys)) is None


def test_a_datetime_cursor_round_trips_in_its_time_zone(staff):
    from phongdich.audit.models import AuditEvent
    from phongdich.audit.services import audit_record

    for n in range(5):
        audit_record(actor=staff.province_admin, action=f"test.{n}")
    keys = (Key("at", descending=True), Key("pk", descending=True))
    event = AuditEvent.objects.order_by("-pk").first()
    values = decode_cursor(AuditEvent, keys, encode_cursor(event, keys))
    assert values == [event.at, event.pk]
    assert abs(values[0] - timezone.now()) < timedelta(minutes=5)


@pytest.mark.parametrize("rows, cap, count, capped", [(11, 10, 10, True), (11, 11, 11, False)])
def test_the_count_stops_at_the_cap(units, rows, cap, count, capped):
    page = keyset_page(units, size=3, cap=cap)
    assert (page.count, page.capped) == (count, capped)


def test_a_precomputed_count_replaces_the_capped_one(units):
    page = keyset_page(units, size=3, count=123_456)
    assert (page.count, page.capped) == (123_456, False)


def test_an_order_that_does_not_end_with_the_id_is_refused(units):
    with pytest.raises(ValueError):
        keyset_page(units, keys=(Key("name"),))


@pytest.mark.parametrize("size", [1, 2, 3, 4, 11])
def test_an_annotated_boolean_key_pages_both_ways(units, size):
    """A key that is an annotation ("has a population" first), typed by `field`."""
    from django.db.models import BooleanField, ExpressionWrapper, Q

    qs = units.annotate(unknown=ExpressionWrapper(Q(population__isnull=True), BooleanField()))
    keys = (Key("unknown", field=BooleanField()), Key("name"), Key("pk"))
    expected = sorted(units, key=lambda u: (u.population is None, u.name, u.pk))
    seen, pages = _walk_forward(qs, keys, size)
    assert [u.pk for u in seen] == [u.pk for u in expected]
    page = pages[-1]
    for earlier in reversed(pages[:-1]):
        page = keyset_page(qs, keys=keys, prev=page.prev, size=size)
        assert [u.pk for u in page] == [u.pk for u in earlier]
    # the boolean travels as true/false; a cursor of another order is junk (the first page)
    assert decode_cursor(AdminUnit, keys, encode_cursor(seen[-1], keys))[0] is True
    wrong = encode_cursor(seen[-1], (Key("population"), Key("name"), Key("pk")))
    first = [u.pk for u in keyset_page(qs, keys=keys, size=size)]
    assert [u.pk for u in keyset_page(qs, keys=keys, next=wrong, size=size)] == first
