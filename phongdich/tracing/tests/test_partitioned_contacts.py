"""The contacts table partitioned by province on PostgreSQL (migration 0004, issue 17 step 2):
every insert path names the code, so each contact lands in the partition of the province
where it lives (a contact outside the served provinces in the DEFAULT); a wrong or missing
code is refused; a contact whose commune moves moves partition; the contact list reads its
province's partition and each partition's `source_province` index."""

import re
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from phongdich.accounts.models import Role
from phongdich.cases.models import Case
from phongdich.geo import province
from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person
from phongdich.testing import losers, make_user, new_province, partitioned_provinces, race, winners
from phongdich.tracing import selectors, services
from phongdich.tracing.models import Contact

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]
TABLE = "tracing_contact"


@pytest.fixture
def communes(db):
    """Communes 91001 and 92001 of provinces 91 and 92, their partitions prepared."""
    return partitioned_provinces()


def _case(commune, name="F0 Nguồn"):
    return Case.objects.create(
        person=Person.objects.create(full_name=name, commune=commune),
        commune=commune,
        diagnosed_on=date(2021, 8, 1),
        isolation_start=date(2021, 8, 1),
    )


def _exposure():
    return services.Exposure(exposure_date=date(2021, 8, 1), setting="household")


def _add(case, person, by=None):
    contact, _created = services.contact_add(
        by=by, person=person, source_case=case, exposure=_exposure()
    )
    return contact


def _where(pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _plan(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _partitions_read(plan):
    # A partition's name followed by its alias (a scan of it), not an index named after it.
    return sorted(set(re.findall(rf" on ({TABLE}_p[0-9a-z]+)(?= |$)", plan, re.M)))


def _indexes_read(plan):
    return sorted(set(re.findall(rf"Index Scan on ({TABLE}_p[0-9a-z]+_\w+_idx)", plan)))


@pytest.mark.django_db
def test_the_table_is_partitioned_and_the_job_makes_a_new_provinces_partition():
    assert province.is_partitioned(connection, TABLE)
    assert TABLE in province.PARTITIONED
    new_province("93")
    assert f"{TABLE}_p93" in province.prepare_partitions().created
    assert province.prepare_partitions().created == []  # idempotent
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'p'",
            [TABLE],
        )
        assert cursor.fetchone() == ("PRIMARY KEY (id, province)",)


@pytest.mark.django_db
def test_every_insert_path_lands_in_its_provinces_partition(communes):
    a, b = communes["91"], communes["92"]
    case = _case(a)
    added = _add(case, Person.objects.create(full_name="Lê Văn Một", commune=b))  # the form
    listed = [
        Person.objects.create(full_name=f"Trần Thị {i}", commune=c) for i, c in ((1, a), (2, b))
    ]
    # The import's bulk path (tracing.imports -> contacts_add_many), and the demo's.
    assert (
        services.contacts_add_many(
            by=None, source_case=case, rows=[(p, _exposure()) for p in listed]
        )
        == 2
    )
    imported = [Contact.objects.get(person=p) for p in listed]
    # An F2 (its source a contact), and a contact outside the served provinces (no commune).
    f2, _created = services.contact_add(
        by=None,
        person=Person.objects.create(full_name="Phạm Văn Hai", commune=a),
        source_contact=added,
        exposure=_exposure(),
    )
    outside = Contact.objects.create(
        person=Person.objects.create(full_name="Ngoài Tỉnh"),
        source_case=case,
        source_commune=a,
        exposure_date=date(2021, 8, 1),
        setting="household",
    )
    # Ids only (the benches' shape): the communes' codes read in one query for the batch.
    people = [
        Person.objects.create(full_name=f"Đỗ Văn {i}", commune=c) for i, c in ((3, a), (4, b))
    ]
    by_id = [
        Contact(
            person_id=p.pk,
            source_case=case,
            commune_id=p.commune_id,
            exposure_date=date(2021, 8, 1),
            setting="household",
        )
        for p in people
    ]
    with CaptureQueriesContext(connection) as queries:
        Contact.objects.bulk_create(by_id)
    assert len(queries.captured_queries) == 2
    assert [_where(c.pk) for c in (added, *imported, f2, outside, *by_id)] == [
        f"{TABLE}_p92",
        f"{TABLE}_p91",
        f"{TABLE}_p92",
        f"{TABLE}_p91",
        f"{TABLE}_pdefault",
        f"{TABLE}_p91",
        f"{TABLE}_p92",
    ]
    # The same person for the same source again is the first contact (looked up in every
    # partition), from the form and from an import.
    again, created = services.contact_add(
        by=None, person=added.person, source_case=case, exposure=_exposure()
    )
    assert (again.pk, created) == (added.pk, False)
    assert (
        services.contacts_add_many(by=None, source_case=case, rows=[(added.person, _exposure())])
        == 0
    )
    assert Contact.objects.filter(person=added.person).count() == 1


@pytest.mark.django_db
def test_the_demo_fills_the_home_provinces_partition_not_the_default():
    from phongdich.demo.services import build_demo

    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text, count(*) FROM {TABLE} GROUP BY 1")
        counts = dict(cursor.fetchall())
    assert set(counts) == {f"{TABLE}_p38"} and counts[f"{TABLE}_p38"] > 3


@pytest.mark.django_db
def test_an_insert_without_the_code_or_with_a_wrong_one_is_refused_not_misfiled(communes):
    """A row without the code is routed to the DEFAULT before the trigger sets 91, a row
    with 92 to 92's partition: PostgreSQL refuses to move either, the trigger is the check."""
    case = _case(communes["91"])
    person = Person.objects.create(full_name="Lê Văn An", commune=communes["91"])
    for code in ("", "92"):
        with pytest.raises(DatabaseError, match="moving row to another partition"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (person_id, source_case_id, generation, commune_id, "
                    "source_commune_id, exposure_date, setting, criterion, relationship, place, "
                    "status, note, created_at, updated_at, province) VALUES (%s, %s, 1, %s, %s, "
                    "'2021-08-01', 'household', 'unknown', '', '', 'listed', '', now(), now(), %s)",
                    [person.pk, case.pk, communes["91"].pk, communes["91"].pk, code],
                )
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_contact_whose_commune_moves_to_another_province_moves_partition(communes):
    case = _case(communes["91"])
    contact = _add(case, Person.objects.create(full_name="Lê Văn An", commune=communes["91"]))
    assert _where(contact.pk) == f"{TABLE}_p91"
    Contact.objects.filter(pk=contact.pk).update(commune=communes["92"])
    assert _where(contact.pk) == f"{TABLE}_p92"
    # A geography reload re-parenting the commune (fill_province's batched backfill).
    district = communes["91"].parent
    AdminUnit.objects.filter(pk=communes["92"].pk).update(
        parent=district, path=district.path + "92001/"
    )
    assert province.backfill(province.CONTACTS, batch=1) == 1
    assert _where(contact.pk) == f"{TABLE}_p91"
    assert Contact.objects.values_list("province", flat=True).get(pk=contact.pk) == "91"


@pytest.mark.django_db
def test_an_f1_with_f2_is_still_protected_without_a_database_key(communes):
    case = _case(communes["91"])
    f1 = _add(case, Person.objects.create(full_name="Lê Văn Một", commune=communes["91"]))
    services.contact_add(
        by=None,
        person=Person.objects.create(full_name="Lê Văn Hai", commune=communes["92"]),
        source_contact=f1,
        exposure=_exposure(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
            [TABLE],
        )
        assert cursor.fetchone() == (0,)
    with pytest.raises(ProtectedError):
        f1.delete()


@pytest.mark.django_db
def test_the_contact_list_reads_its_provinces_partition_and_each_source_index(communes):
    """The list is "lives here OR listed by an F0 here": the first branch is one province's
    rows, the second may be any province's (a contact of 91's F0 living in 92). The OR
    cannot prune (by nature of the list): every partition is read through its two province
    indexes, the `province` one finding rows in 91's partition only, the `source_province`
    one the contacts 91's F0 listed in each; no partition is scanned whole."""
    a, b = communes["91"], communes["92"]
    _add(_case(a), Person.objects.create(full_name="Sống ở 92", commune=b))
    _add(_case(b, name="F0 92"), Person.objects.create(full_name="Sống ở 91", commune=a))
    worker = make_user("tramyte.91", Role.COMMUNE_HEALTH_WORKER, a)
    with CaptureQueriesContext(connection) as queries:
        page = selectors.contact_list(worker)
    assert sorted(c.person.full_name for c in page.items) == ["Sống ở 91", "Sống ở 92"]
    (sql,) = [
        q["sql"]
        for q in queries.captured_queries
        if f'FROM "{TABLE}"' in q["sql"] and "LIMIT" in q["sql"] and "COUNT" not in q["sql"]
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # Index scans only: which indexes each partition can be read through, whatever the
        # planner would pick on a few test rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = _plan(sql)
    every = [f"{TABLE}_p38", f"{TABLE}_p91", f"{TABLE}_p92", f"{TABLE}_pdefault"]
    assert _partitions_read(plan) == every
    assert "Seq Scan on tracing_contact" not in plan
    # Each partition: a BitmapOr of its province index (rows only in 91's) and its
    # source_province index (the contacts 91's F0 listed there).
    assert _indexes_read(plan) == sorted(
        f"{name}_{index}"
        for name in every
        for index in ("province_status_idx", "source_province_status_idx")
    )
    # One branch alone (the contacts living in the commune) reads its partition only.
    sql, params = Contact.objects.filter(commune=a, province="91").query.sql_with_params()
    assert _partitions_read(_plan(sql, params)) == [f"{TABLE}_p91"]
    # The same read without the code reads every partition: the test can fail.
    sql, params = Contact.objects.filter(commune=a).query.sql_with_params()
    assert _partitions_read(_plan(sql, params)) == [
        f"{TABLE}_p38",
        f"{TABLE}_p91",
        f"{TABLE}_p92",
        f"{TABLE}_pdefault",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_tracers_listing_one_person_at_once_make_one_contact():
    units = partitioned_provinces()
    case = _case(units["91"])
    person = Person.objects.create(full_name="Lê Văn An", commune=units["92"])
    outcomes = race(
        [
            lambda: services.contact_add(
                by=None, person=person, source_case=case, exposure=_exposure()
            )
        ]
        * 4
    )
    assert not losers(outcomes), losers(outcomes)
    assert sorted(created for _c, created in winners(outcomes)) == [False, False, False, True]
    assert Contact.objects.filter(person=person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_and_applies_again():
    from django.core.management import call_command

    units = partitioned_provinces()
    f1 = _add(
        _case(units["91"]), Person.objects.create(full_name="Lê Văn Một", commune=units["92"])
    )
    f2, _created = services.contact_add(
        by=None,
        person=Person.objects.create(full_name="Lê Văn Hai", commune=units["91"]),
        source_contact=f1,
        exposure=_exposure(),
    )
    try:
        call_command("migrate", "tracing", "0003", verbosity=0)
        assert not province.is_partitioned(connection, TABLE)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT province, source_province, source_contact_id FROM {TABLE} WHERE id = %s",
                [f2.pk],
            )
            assert cursor.fetchone() == ("91", "92", f1.pk)
            # The F2's database key is back.
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND confrelid = %s::regclass",
                [TABLE],
            )
            assert cursor.fetchone() == (1,)
    finally:
        call_command("migrate", "tracing", verbosity=0)
    assert province.is_partitioned(connection, TABLE)
    assert [_where(c.pk) for c in (f1, f2)] == [f"{TABLE}_p92", f"{TABLE}_p91"]
    # The province triggers are on the partitioned table again.
    moved = _add(
        _case(units["92"], name="F0 92"), Person.objects.create(full_name="Ba", commune=units["92"])
    )
    assert Contact.objects.values_list("province", "source_province").get(pk=moved.pk) == (
        "92",
        "92",
    )
