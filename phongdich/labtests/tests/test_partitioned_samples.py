"""The sample table partitioned by province on PostgreSQL (migration 0012, issue 17 step 2):
every insert path names the code, so each sample lands in its province's partition; a
commune's register reads one partition; the tube's code and the lab's id stay unique across
provinces (labtests_sample_key); each partition keeps the fill factor of HOT results."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.accounts.models import Role
from phongdich.cases.services import _samples
from phongdich.geo import province
from phongdich.labtests import selectors, services
from phongdich.labtests.models import Kind, Sample
from phongdich.people.models import Person
from phongdich.testing import losers, make_user, new_province, partitioned_provinces, race, winners

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]
TABLE = "labtests_sample"


@pytest.fixture
def communes(db):
    """Communes 91001 and 92001 of provinces 91 and 92, their partitions prepared."""
    return partitioned_provinces()


def _person(commune, name="Lê Văn An"):
    return Person.objects.create(full_name=name, commune=commune)


def _where(pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _keys(pk):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT scope, value, lab FROM labtests_sample_key WHERE sample_id = %s ORDER BY scope",
            [pk],
        )
        return cursor.fetchall()


def _partitions_read(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(set(re.findall(rf" on ({TABLE}_p\w+)", plan)))


def _take(commune, barcode, *, by=None, **values):
    return services.sample_take(
        by=by,
        person=values.pop("person", None) or _person(commune),
        barcode=barcode,
        kind=Kind.PCR,
        reason=Sample.Reason.SCREENING,
        commune=commune,
        **values,
    )


def _fillfactors():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, array_to_string(c.reloptions, ',') FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_each_partition_keeps_the_fill_factor_and_the_job_makes_a_newpartitioned_provinces():
    assert province.is_partitioned(connection, TABLE)
    assert set(_fillfactors().values()) == {"fillfactor=50"}
    new_province("93")
    assert f"{TABLE}_p93" in province.prepare_partitions().created
    assert _fillfactors()[f"{TABLE}_p93"] == "fillfactor=50"


@pytest.mark.django_db
def test_every_insert_path_lands_in_its_provinces_partition(communes):
    a, b = communes["91"], communes["92"]
    taken = _take(a, "T-1")  # the sampling-point entry's service
    pool = services.pool_create(by=None, code="P-1", kind=Kind.PCR, commune=b)
    pooled = _take(b, "T-2", pool=pool)
    reported = _samples.result_sample_create(  # the F0 app's lab API, import, evidence
        by=None,
        person=_person(b),
        commune=b,
        kind=Kind.PCR,
        positive=False,
        taken_at=timezone.now(),
        lab="CDC",
        sample_id="LAB-1",
    )
    now = timezone.now()
    by_object, by_id = Sample.objects.bulk_create(
        [
            Sample(
                person=_person(a),
                barcode="T-3",
                kind="pcr",
                reason="other",
                commune=a,
                taken_at=now,
            ),
            Sample(
                person=_person(b),
                barcode="T-4",
                kind="pcr",
                reason="other",
                commune_id=b.pk,
                taken_at=now,
            ),
        ]
    )
    assert [_where(s.pk) for s in (taken, pooled, reported, by_object, by_id)] == [
        f"{TABLE}_p91",
        f"{TABLE}_p92",
        f"{TABLE}_p92",
        f"{TABLE}_p91",
        f"{TABLE}_p92",
    ]
    # A lab's repeated post still finds its first result (the key names the province).
    with pytest.raises(IntegrityError):
        _samples.result_sample_create(
            by=None,
            person=reported.person,
            commune=b,
            kind=Kind.PCR,
            positive=False,
            taken_at=timezone.now(),
            lab="CDC",
            sample_id="LAB-1",
        )


@pytest.mark.django_db
def test_the_demo_fills_the_home_provinces_partition_not_the_default():
    from phongdich.demo.services import build_demo

    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text, count(*) FROM {TABLE} GROUP BY 1")
        counts = dict(cursor.fetchall())
    assert set(counts) == {f"{TABLE}_p38"} and counts[f"{TABLE}_p38"] > 10


@pytest.mark.django_db
def test_an_insert_without_the_code_is_refused_not_misfiled(communes):
    """A row without the code is routed to the DEFAULT before the trigger sets 91, and
    PostgreSQL refuses to move it: the trigger stays as the check."""
    person = _person(communes["91"])
    for code in ("", "92"):
        with pytest.raises(DatabaseError, match="moving row to another partition"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (person_id, barcode, kind, reason, commune_id, "
                    "province, place, team, taken_at, status, rejected_reason, result, "
                    "symptomatic, presumptive, lab, supervised, lab_sample_id, created_at) "
                    "VALUES (%s, 'RAW', 'pcr', 'other', %s, %s, '', '', now(), 'taken', '', "
                    "'', false, false, '', true, '', now())",
                    [person.pk, communes["91"].pk, code],
                )


@pytest.mark.django_db
def test_the_code_and_the_lab_id_stay_unique_across_provinces(communes):
    a, b = communes["91"], communes["92"]
    first = _take(a, "DUP-1")
    with pytest.raises(ValidationError, match="Mã mẫu này đã được dùng"):
        _take(b, "DUP-1")
    assert Sample.objects.filter(barcode="DUP-1").count() == 1

    def reported(commune, person):
        return _samples.result_sample_create(
            by=None,
            person=person,
            commune=commune,
            kind=Kind.PCR,
            positive=False,
            taken_at=timezone.now(),
            lab="CDC",
            sample_id="LAB-9",
        )

    person = _person(a)
    reported(a, person)
    with pytest.raises(IntegrityError):  # the lab sent this id already, from province 91
        reported(b, person)
    assert Sample.objects.filter(lab_sample_id="LAB-9").count() == 1
    # A new code frees the old one; a deleted sample frees its own.
    Sample.objects.filter(pk=first.pk).update(barcode="DUP-2")
    assert _keys(first.pk) == [("b", "DUP-2", "")]
    second = _take(b, "DUP-1")
    Sample.objects.filter(pk=second.pk).delete()
    assert _keys(second.pk) == []
    _take(b, "DUP-1")


@pytest.mark.django_db
def test_a_sample_moved_to_another_province_keeps_its_keys(communes):
    sample = _take(communes["91"], "MOVE-1")
    Sample.objects.filter(pk=sample.pk).update(commune=communes["92"])
    assert _where(sample.pk) == f"{TABLE}_p92"
    assert _keys(sample.pk) == [("b", "MOVE-1", "")]
    with pytest.raises(ValidationError):
        _take(communes["91"], "MOVE-1")


@pytest.mark.django_db
def test_a_result_writes_no_key(communes):
    """The import's guarded UPDATE writes `lab` of a sample without a lab's id: the key
    trigger's WHEN leaves it (no row queued, the keys unchanged)."""
    sample = _take(communes["91"], "RES-1")
    Sample.objects.filter(pk=sample.pk).update(lab="CDC", result="negative")
    assert _keys(sample.pk) == [("b", "RES-1", "")]


@pytest.mark.django_db
def test_a_communes_register_reads_one_partition(communes):
    worker = make_user("xn.91", Role.COMMUNE_HEALTH_WORKER, communes["91"])
    _take(communes["91"], "REG-1")
    with CaptureQueriesContext(connection) as queries:
        assert [s.barcode for s in selectors.sample_register(worker)[:50]] == ["REG-1"]
    (sql,) = [q["sql"] for q in queries.captured_queries if TABLE in q["sql"]]
    assert _partitions_read(sql) == [f"{TABLE}_p91"]
    # The same read without the code reads every partition: the test can fail.
    sql, params = Sample.objects.filter(commune=communes["91"]).query.sql_with_params()
    assert _partitions_read(sql, params) == [
        f"{TABLE}_p38",
        f"{TABLE}_p91",
        f"{TABLE}_p92",
        f"{TABLE}_pdefault",
    ]


@pytest.mark.django_db(transaction=True)
def test_one_code_taken_in_two_provinces_at_once_is_taken_once():
    units = partitioned_provinces()
    people = {code: _person(units[code]) for code in units}

    def take(code):
        return lambda: _take(units[code], "RACE-1", person=people[code])

    outcomes = race([take("91"), take("92"), take("91"), take("92")])
    assert len(winners(outcomes)) == 1
    assert all(isinstance(error, ValidationError) for error in losers(outcomes))
    assert Sample.objects.filter(barcode="RACE-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_and_applies_again():
    from django.core.management import call_command

    units = partitioned_provinces()
    kept = _take(units["91"], "REV-1", person=_person(units["91"]))
    taken_before = timezone.now() - timedelta(seconds=1)
    try:
        call_command("migrate", "labtests", "0011", verbosity=0)
        assert not province.is_partitioned(connection, TABLE)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = '{TABLE}'"
            )
            assert cursor.fetchone()[0] == "fillfactor=50"
            cursor.execute("SELECT to_regclass('labtests_sample_key')")
            assert cursor.fetchone()[0] is None
            cursor.execute(
                f"SELECT barcode, province, lab_key FROM {TABLE} WHERE id = %s", [kept.pk]
            )
            assert cursor.fetchone() == ("REV-1", "91", None)
    finally:
        call_command("migrate", "labtests", verbosity=0)
    assert province.is_partitioned(connection, TABLE)
    assert _where(kept.pk) == f"{TABLE}_p91" and _keys(kept.pk) == [("b", "REV-1", "")]
    assert Sample.objects.get(pk=kept.pk).created_at > taken_before - timedelta(days=1)
    with pytest.raises(ValidationError):
        _take(units["92"], "REV-1", person=_person(units["92"]))
