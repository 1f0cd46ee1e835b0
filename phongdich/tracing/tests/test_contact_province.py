"""The contact list names the province in both of its branches (issue 17): a contact is
on the list of the commune where it lives (`province`) and of the commune whose F0 listed
it (`source_province`, migration 0003), which may be in another province."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phongdich.accounts.models import Role
from phongdich.cases.models import Case
from phongdich.geo import province
from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person
from phongdich.testing import make_user
from phongdich.tracing import selectors
from phongdich.tracing.models import Contact

pytestmark = pytest.mark.django_db


def _unit(code, parent=None, kind=AdminUnit.Kind.COMMUNE):
    path = (parent.path if parent else "/") + code + "/"
    return AdminUnit.objects.create(
        code=code, name=f"Đơn vị {code}", kind=kind, parent=parent, path=path
    )


@pytest.fixture
def provinces():
    """Provinces 91, 92, 93, each with one commune; returns {code: commune}."""
    units = {}
    for code in ("91", "92", "93"):
        top = _unit(code, kind=AdminUnit.Kind.PROVINCE)
        units[code] = _unit(f"{code}001", _unit(f"{code}0", top, kind=AdminUnit.Kind.DISTRICT))
    return units


def _contact(name, lives, listed_by):
    """A contact living in commune `lives`, listed by an F0 of commune `listed_by`."""
    source = Person.objects.create(full_name=f"F0 {name}", commune=listed_by)
    case = Case.objects.create(
        person=source,
        commune=listed_by,
        diagnosed_on=date(2021, 8, 1),
        isolation_start=date(2021, 8, 1),
    )
    return Contact.objects.create(
        person=Person.objects.create(full_name=name, commune=lives),
        source_case=case,
        commune=lives,
        source_commune=listed_by,
        exposure_date=date(2021, 8, 1),
        setting="household",
    )


def _admin(commune):
    top = commune.parent.parent
    return make_user(f"admin{top.code}", Role.PROVINCE_ADMIN, top)


def test_the_source_province_is_filled_and_follows_the_source_commune(provinces):
    contact = _contact("Lê Văn An", provinces["92"], provinces["91"])
    codes = Contact.objects.values_list("province", "source_province")
    assert codes.get(pk=contact.pk) == ("92", "91")
    Contact.objects.filter(pk=contact.pk).update(source_commune=provinces["93"])
    assert codes.get(pk=contact.pk) == ("92", "93")
    # A geography reload that re-parents the source commune: the backfill follows.
    district = provinces["92"].parent
    AdminUnit.objects.filter(pk=provinces["93"].pk).update(
        parent=district, path=district.path + "93001/"
    )
    assert province.backfill(province.CONTACT_SOURCES, batch=1) == 1
    assert codes.get(pk=contact.pk) == ("92", "92")


@pytest.mark.parametrize(
    "reader, expected",
    [
        ("91", ["listed in 91, lives in 92", "lives in 91"]),  # listed here, or lives here
        ("92", ["listed in 91, lives in 92"]),  # lives here, listed elsewhere
        ("93", []),  # neither
    ],
)
def test_each_province_sees_the_contacts_it_lists_or_houses(provinces, reader, expected):
    _contact("lives in 91", provinces["91"], provinces["91"])
    _contact("listed in 91, lives in 92", provinces["92"], provinces["91"])
    seen = selectors.contacts_visible_to(_admin(provinces[reader]))
    assert sorted(c.person.full_name for c in seen) == sorted(expected)


# The index's own name on a plain table; on a partitioned one (tracing 0004) each partition's
# copy is named after the partition by PostgreSQL ("tracing_contact_p38_province_status_idx").
PROVINCE_INDEX = r"\bcontact_province_status_idx|tracing_contact_p[0-9a-z]+_province_status_idx"
SOURCE_INDEX = (
    r"\bcontact_source_province_idx|tracing_contact_p[0-9a-z]+_source_province_status_idx"
)


def _plan(sql):
    with connection.cursor() as cursor:
        # Bitmap scans only: which indexes the list can use, whatever the planner would
        # pick on a few test rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    return plan


def test_the_contact_list_names_the_province_in_both_branches(provinces):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN is PostgreSQL's")
    _contact("Lê Văn An", provinces["92"], provinces["91"])
    admin = _admin(provinces["91"])
    with CaptureQueriesContext(connection) as queries:
        selectors.contact_list(admin)
    # The page's query (the capped count is the other one, with the same WHERE).
    (sql,) = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "tracing_contact"' in q["sql"] and "LIMIT" in q["sql"] and "COUNT" not in q["sql"]
    ]
    assert '"tracing_contact"."province" = \'91\'' in sql
    assert '"tracing_contact"."source_province" = \'91\'' in sql
    plan = _plan(sql)
    # Each branch reads its own province's entries of its own index, then the units.
    assert re.search(PROVINCE_INDEX, plan)
    assert re.search(SOURCE_INDEX, plan)
    assert "Seq Scan on tracing_contact" not in plan
    # Without the codes the same list cannot use either index (it reads every contact, or
    # the primary key backwards): the test can fail.
    unnamed = sql.replace(' AND "tracing_contact"."province" = \'91\'', "").replace(
        ' AND "tracing_contact"."source_province" = \'91\'', ""
    )
    assert unnamed != sql
    plain = _plan(unnamed)
    assert not re.search(PROVINCE_INDEX, plain)
    assert not re.search(SOURCE_INDEX, plain)
