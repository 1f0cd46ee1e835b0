"""The quarantine table partitioned by province on PostgreSQL (migration 0006, issue 17
step 2): every insert path names the code, so each quarantine lands in the partition of
its commune's province; a wrong or missing code is refused; a quarantine whose commune
moves moves partition; the commune's list reads one partition; a person stays in one
active quarantine across provinces."""

import re
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from phongdich.accounts.models import Role
from phongdich.cases.models import Case
from phongdich.checkpoints import services as checkpoints
from phongdich.checkpoints.tests import builders as cp
from phongdich.geo import province
from phongdich.geo.models import AdminUnit
from phongdich.people.models import Person
from phongdich.quarantine import selectors, services
from phongdich.quarantine.models import Basis, DailyCheck, FollowUpItem, Quarantine, Status
from phongdich.testing import losers, make_staff, make_user, make_world, race, winners
from phongdich.tracing import services as tracing

from . import builders

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]
TABLE = "quarantine_quarantine"


def _unit(code, parent=None, kind=AdminUnit.Kind.COMMUNE):
    path = (parent.path if parent else "/") + code + "/"
    return AdminUnit.objects.create(
        code=code, name=f"Đơn vị {code}", kind=kind, parent=parent, path=path
    )


def _other_province():
    """Commune 92001 of a second province (92), its partitions prepared."""
    top = _unit("92", kind=AdminUnit.Kind.PROVINCE)
    commune = _unit("92001", _unit("920", top, kind=AdminUnit.Kind.DISTRICT))
    province.prepare_partitions()
    return commune


@pytest.fixture
def other(world):
    return _other_province()


def _open(person, commune, by=None, **values):
    return services.quarantine_open(
        by=by,
        person=person,
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=commune,
        **values,
    )


def _where(pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _partitions_read(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(set(re.findall(rf" on ({TABLE}_p\w+)", plan)))


@pytest.mark.django_db
def test_the_table_is_partitioned_and_the_job_makes_a_new_provinces_partition():
    assert province.is_partitioned(connection, TABLE)
    assert TABLE in province.PARTITIONED
    top = _unit("93", kind=AdminUnit.Kind.PROVINCE)
    _unit("93001", _unit("930", top, kind=AdminUnit.Kind.DISTRICT))
    assert f"{TABLE}_p93" in province.prepare_partitions().created
    assert province.prepare_partitions().created == []  # idempotent
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY conname",
            [TABLE],
        )
        assert cursor.fetchall() == [
            ("quarantine_one_per_handover", "UNIQUE (handover_id, province)"),
            ("quarantine_one_per_stay", "UNIQUE (stay_id, province)"),
            ("quarantine_quarantine_pkey", "PRIMARY KEY (id, province)"),
        ]


@pytest.mark.django_db
def test_every_insert_path_lands_in_its_provinces_partition(world, staff, other):
    opened, _created = _open(builders.person(world, staff), world.commune_a)  # the form
    elsewhere, _created = _open(Person.objects.create(full_name="Lê Văn Xa", commune=other), other)
    # A traced contact quarantined from the contact's page (tracing -> quarantine_open).
    source = Person.objects.create(full_name="F0 Nguồn", commune=world.commune_a)
    case = Case.objects.create(
        person=source,
        commune=world.commune_a,
        diagnosed_on=date(2022, 1, 9),
        isolation_start=date(2022, 1, 9),
    )
    contact, _created = tracing.contact_add(
        by=None,
        person=Person.objects.create(full_name="Trần Thị Tiếp", commune=other),
        source_case=case,
        exposure=tracing.Exposure(exposure_date=date(2022, 1, 9), setting="household"),
    )
    _contact, traced = tracing.contact_quarantine(
        by=staff.province_admin, contact=contact, start=builders.IN_10696
    )
    # A returnee handed over at a checkpoint.
    handover = cp.handover(world, staff, vaccine_doses=2)
    checkpoints.handover_confirm(by=staff.commune_worker_a, handover=handover)
    returnee = checkpoints.quarantine_start(
        by=staff.commune_worker_a, handover=handover, on=date(2022, 3, 1)
    )
    # Ids only (the benches' shape): the communes' codes read in one query for the batch.
    people = [
        Person.objects.create(full_name=f"Đỗ Văn {i}", commune=world.commune_a) for i in (1, 2)
    ]
    by_id = [
        Quarantine(
            person_id=p.pk,
            basis="f1",
            exposure_date=builders.IN_10696,
            place="home",
            commune_id=c.pk,
            start_date=builders.IN_10696,
            planned_end=builders.IN_10696,
            monitoring_end=builders.IN_10696,
        )
        for p, c in zip(people, (world.commune_a, other), strict=True)
    ]
    with CaptureQueriesContext(connection) as queries:
        Quarantine.objects.bulk_create(by_id)
    assert len(queries.captured_queries) == 2
    assert [_where(q.pk) for q in (opened, elsewhere, traced, returnee, *by_id)] == [
        f"{TABLE}_p38",
        f"{TABLE}_p92",
        f"{TABLE}_p92",
        f"{TABLE}_p38",
        f"{TABLE}_p38",
        f"{TABLE}_p92",
    ]
    # The hand-over is met again wherever its quarantine is.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        checkpoints.quarantine_start(by=staff.commune_worker_a, handover=handover)


@pytest.mark.django_db
def test_the_demo_fills_the_home_provinces_partition_not_the_default():
    from phongdich.demo.services import build_demo

    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text, count(*) FROM {TABLE} GROUP BY 1")
        counts = dict(cursor.fetchall())
    assert set(counts) == {f"{TABLE}_p38"} and counts[f"{TABLE}_p38"] > 3


@pytest.mark.django_db
def test_an_insert_without_the_code_or_with_a_wrong_one_is_refused_not_misfiled(world, other):
    """A row without the code is routed to the DEFAULT before the trigger sets 38, a row
    with 92 to 92's partition: PostgreSQL refuses to move either, the trigger is the check."""
    person = Person.objects.create(full_name="Lê Văn An", commune=world.commune_a)
    for code in ("", "92"):
        with pytest.raises(DatabaseError, match="moving row to another partition"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {TABLE} (person_id, basis, exposure_date, place, commune_id, "
                    "address, policy_key, policy_source, group_label, start_date, planned_end, "
                    "monitoring_end, test_dates, status, note, attention_reason, end_reason, "
                    "created_at, province) VALUES (%s, 'f1', '2022-01-10', 'home', %s, '', '', "
                    "'', '', '2022-01-10', '2022-01-24', '2022-01-24', '[]', 'active', '', '', "
                    "'', now(), %s)",
                    [person.pk, world.commune_a.pk, code],
                )
    assert not Quarantine.objects.exists()


@pytest.mark.django_db
def test_a_quarantine_whose_commune_moves_to_another_province_moves_partition(world, staff, other):
    quarantine, _created = _open(builders.person(world, staff), world.commune_a)
    check = services.quarantine_check_record(by=None, quarantine=quarantine, temperature="36.8")
    Quarantine.objects.filter(pk=quarantine.pk).update(commune=other)
    assert _where(quarantine.pk) == f"{TABLE}_p92"
    # Its checks still find it (the key is the id; no database constraint to follow).
    assert DailyCheck.objects.get(pk=check.pk).quarantine.province == "92"
    # A geography reload re-parenting the commune (fill_province's batched backfill).
    district = world.commune_a.parent
    AdminUnit.objects.filter(pk=other.pk).update(parent=district, path=district.path + "92001/")
    assert province.backfill(province.QUARANTINES, batch=1) == 1
    assert _where(quarantine.pk) == f"{TABLE}_p38"


@pytest.mark.django_db
def test_rows_pointing_at_a_quarantine_lose_their_database_key_not_their_cascade(world, staff):
    quarantine, _created = _open(builders.person(world, staff), world.commune_a)
    services.quarantine_check_record(by=None, quarantine=quarantine, temperature="36.8")
    services.quarantine_link_mint(by=None, quarantine=quarantine)
    FollowUpItem.objects.create(quarantine=quarantine, kind="test_due", day=builders.IN_10696)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
            [TABLE],
        )
        assert cursor.fetchone() == (0,)
    quarantine.delete()
    assert not DailyCheck.objects.exists() and not FollowUpItem.objects.exists()
    assert not quarantine.links.model.objects.exists()


@pytest.mark.django_db
def test_the_communes_list_reads_one_partition(world, staff, other):
    _open(builders.person(world, staff), world.commune_a)
    with CaptureQueriesContext(connection) as queries:
        page = selectors.active_list(staff.commune_worker_a)
    assert len(page.items) == 1
    (sql,) = [
        q["sql"]
        for q in queries.captured_queries
        if f'FROM "{TABLE}"' in q["sql"] and "LIMIT" in q["sql"] and "COUNT" not in q["sql"]
    ]
    assert _partitions_read(sql) == [f"{TABLE}_p38"]
    # The same read without the code reads every partition: the test can fail.
    sql, params = Quarantine.objects.filter(
        commune=world.commune_a, status=Status.ACTIVE
    ).query.sql_with_params()
    assert _partitions_read(sql, params) == [f"{TABLE}_p38", f"{TABLE}_p92", f"{TABLE}_pdefault"]


@pytest.mark.django_db
def test_a_person_in_quarantine_in_one_province_is_met_from_another(world, staff, other):
    """The database's "one active per person" key now names the province: the service's
    lookup (every partition, under the person's lock) keeps the person in one record."""
    person = builders.person(world, staff)
    first, _created = _open(person, world.commune_a)
    worker = make_user("tramyte.92", Role.COMMUNE_HEALTH_WORKER, other)
    again, created = _open(person, other, by=worker)
    assert (again.pk, created) == (first.pk, False)
    assert Quarantine.objects.filter(person=person, status=Status.ACTIVE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_provinces_opening_one_persons_quarantine_at_once_make_one():
    world = make_world()
    staff = make_staff(world)
    other = _other_province()
    person = builders.person(world, staff)
    outcomes = race([lambda c=c: _open(person, c) for c in (world.commune_a, other) * 2])
    assert not losers(outcomes), losers(outcomes)
    assert sorted(created for _q, created in winners(outcomes)) == [False, False, False, True]
    assert Quarantine.objects.filter(person=person, status=Status.ACTIVE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_and_applies_again():
    from django.core.management import call_command

    world = make_world()
    staff = make_staff(world)
    other = _other_province()
    kept, _created = _open(builders.person(world, staff), other)
    check = services.quarantine_check_record(by=None, quarantine=kept, temperature="36.8")
    try:
        call_command("migrate", "quarantine", "0005", verbosity=0)
        assert not province.is_partitioned(connection, TABLE)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT province FROM {TABLE} WHERE id = %s", [kept.pk])
            assert cursor.fetchone() == ("92",)
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND confrelid = %s::regclass",
                [TABLE],
            )
            assert cursor.fetchone() == (3,)  # the link's, the check's and the item's
    finally:
        call_command("migrate", "quarantine", verbosity=0)
    assert province.is_partitioned(connection, TABLE)
    assert _where(kept.pk) == f"{TABLE}_p92"
    assert DailyCheck.objects.get(pk=check.pk).quarantine_id == kept.pk
    # The province trigger is on the partitioned table again.
    fresh, _created = _open(
        builders.person(
            world, staff, full_name="Hai", phone="0912000222", id_number="038085002222"
        ),
        world.commune_a,
    )
    assert Quarantine.objects.values_list("province", flat=True).get(pk=fresh.pk) == "38"
