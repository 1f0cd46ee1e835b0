"""Each audit event carries its province and its action's app; the audit page's filters name
the province and bound `at`, so on PostgreSQL (audit.partitions) they read one partition."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from phongdich import testing
from phongdich.accounts.models import Role, User
from phongdich.audit import partitions
from phongdich.audit.models import AuditEvent
from phongdich.audit.selectors import audit_events_visible_to
from phongdich.audit.services import action_app, audit_read, audit_record

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions exist only on PostgreSQL"
)


@pytest.fixture
def other_province(db):
    province = testing._unit("40", "Tỉnh Nghệ An", "province", population=3_400_000)
    district = testing._unit("412", "Thành phố Vinh", "district", province, 340_000)
    commune = testing._unit("16666", "Phường Hưng Bình", "commune", district, 20_000)
    return province, commune


@pytest.fixture
def other_worker(other_province):
    return testing.make_user("ytexa_na", Role.COMMUNE_HEALTH_WORKER, other_province[1])


@pytest.mark.parametrize(
    ("action", "app"),
    [
        ("people.search", "people"),
        ("cases.queue.export", "cases"),
        ("read", ""),
        ("x.", "x"),
    ],
)
def test_the_app_is_the_action_before_its_first_dot(action, app):
    assert action_app(action) == app


def test_an_event_belongs_to_its_actors_province(world, staff, other_worker):
    mine = audit_record(actor=staff.commune_worker_a, action="people.update")
    theirs = audit_record(actor=other_worker, action="people.update")
    system = audit_record(actor=None, action="cases.scan")
    nowhere = audit_record(actor=staff.outsider, action="accounts.login")
    stored = dict(AuditEvent.objects.values_list("pk", "province"))
    assert stored == {mine.pk: "38", theirs.pk: "40", system.pk: "38", nowhere.pk: "38"}
    assert AuditEvent.objects.get(pk=mine.pk).app == "people"


def test_an_actor_whose_unit_is_not_loaded_costs_no_extra_query(
    world, staff, django_assert_num_queries
):
    fresh = User.objects.get(pk=staff.commune_worker_b.pk)  # jurisdiction not loaded
    with django_assert_num_queries(1):
        event = audit_record(actor=fresh, action="people.update")
    assert AuditEvent.objects.get(pk=event.pk).province == "38"


def test_a_read_event_carries_province_and_app(world, staff, other_worker):
    from phongdich.people.services import person_register

    person, _ = person_register(
        by=other_worker,
        full_name="Hồ Văn Nam",
        birth_year=1980,
        commune=other_worker.jurisdiction,
    )
    event = audit_read(actor=other_worker, target=person, action="people.search")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.province, stored.app) == ("40", "people")


def test_a_province_admin_sees_only_their_provinces_events(world, staff, other_worker):
    audit_record(actor=staff.commune_worker_a, action="people.update")
    audit_record(actor=other_worker, action="people.update")
    other_admin = testing.make_user(
        "admin_na", Role.PROVINCE_ADMIN, other_worker.jurisdiction.parent.parent
    )
    mine = audit_events_visible_to(staff.province_admin)
    theirs = audit_events_visible_to(other_admin)
    assert {e.province for e in mine} == {"38"}
    assert [e.actor_id for e in theirs] == [other_worker.pk]


@pytest.mark.parametrize(
    ("prefix", "shown"),
    [
        ("people.", {"people.search", "people.update"}),
        ("people", {"people.search", "people.update", "peoplex.read", "people"}),
        ("people.se", {"people.search"}),
        ("peoplex.", {"peoplex.read"}),
        ("cases.", set()),
        ("read", set()),
        (".", set()),
    ],
)
def test_the_action_filter_is_a_prefix_of_the_action(world, staff, prefix, shown):
    for action in ("people.search", "people.update", "peoplex.read", "people"):
        audit_record(actor=staff.commune_worker_a, action=action)
    found = audit_events_visible_to(staff.province_admin, action=prefix)
    assert {e.action for e in found} == shown


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute, second))


@pytest.mark.parametrize(
    ("moment", "in_day"),
    [
        (lambda d: _at(d, 0), True),  # the local day's first instant
        (lambda d: _at(d, 23, 59, 59), True),  # its last second (16:59 UTC)
        (lambda d: _at(d, 0) - timedelta(seconds=1), False),  # the day before
        (lambda d: _at(d, 0) + timedelta(days=1), False),  # the next local day
    ],
)
def test_the_day_filter_is_the_local_day(world, staff, moment, in_day):
    day = timezone.localdate() - timedelta(days=3)
    event = audit_record(actor=staff.commune_worker_a, action="people.update")
    # `at` is auto_now_add and rows are append-only: place the event's time with raw SQL
    # on SQLite, and on PostgreSQL by inserting it at that time.
    _place(event, moment(day))
    found = audit_events_visible_to(staff.province_admin, day=day)
    assert (event.pk in {e.pk for e in found}) is in_day


def _place(event, at):
    if connection.vendor == "postgresql":
        # The trigger refuses UPDATE; a copy inserted at that time is the same event.
        columns = "actor_id, actor_label, kind, action, target_type, target_id, target_label, changes, province, app"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO audit_auditevent (id, at, {columns}) "
                f"SELECT id + 1000000, %s, {columns} FROM audit_auditevent WHERE id = %s",
                [at, event.pk],
            )
        event.pk += 1_000_000
        # The original stays at "now", outside the day tested.
        return
    with connection.cursor() as cursor:
        stored = connection.ops.adapt_datetimefield_value(at)  # UTC text, as the ORM writes it
        cursor.execute("UPDATE audit_auditevent SET at = %s WHERE id = %s", [stored, event.pk])


# --- PostgreSQL: the partitions themselves -------------------------------------------------


def _scanned(qs) -> set[str]:
    plan = qs.explain()
    # Tables only: a bitmap scan names the partition's index too ("… on
    # audit_auditevent_p38_202612_at_idx"), which is the same partition read.
    return set(
        re.findall(
            r"\bon (audit_auditevent_p[0-9A-Za-z]+(?:_(?:\d{6}|default))?)(?=\s|$)", plan, re.M
        )
    )


@on_postgresql
def test_events_land_in_their_province_and_months_partition(world, staff):
    event = audit_record(actor=staff.commune_worker_a, action="people.update")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk]
        )
        (table,) = cursor.fetchone()
    assert table == partitions.month_partition("38", timezone.localdate().replace(day=1))


@on_postgresql
def test_the_audit_page_reads_only_its_provinces_partitions(world, staff, other_province):
    partitions.prepare_partitions()
    today = timezone.localdate()
    unfiltered = _scanned(audit_events_visible_to(staff.province_admin))
    assert unfiltered and all(name.startswith("audit_auditevent_p38_") for name in unfiltered)
    by_day = _scanned(audit_events_visible_to(staff.province_admin, day=today))
    assert by_day == {partitions.month_partition("38", today.replace(day=1))}
    by_action = _scanned(audit_events_visible_to(staff.province_admin, action="people.", day=today))
    assert by_action == by_day


@on_postgresql
def test_the_job_creates_a_new_provinces_partition_and_months_ahead(world, other_province):
    outcome = partitions.prepare_partitions()
    month = timezone.localdate().replace(day=1)
    assert partitions.province_partition("40") in outcome.created
    assert partitions.month_partition("40", month) in outcome.created
    assert outcome.blocked == []
    # Run again: nothing left to create.
    assert partitions.prepare_partitions().created == []


@on_postgresql
def test_a_month_whose_rows_sit_in_the_default_is_reported_not_lost(world, staff):
    far = timezone.localdate().replace(day=1) + timedelta(days=200)
    event = audit_record(actor=staff.commune_worker_a, action="people.update")
    _place(event, _at(far, 12))  # no partition for that month yet: the province's default
    outcome = partitions.prepare_partitions(months_ahead=8)
    assert partitions.month_partition("38", far.replace(day=1)) in outcome.blocked
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_concurrent_events_of_two_provinces_get_distinct_ids():
    world = testing.make_world()
    staff = testing.make_staff(world)
    province = testing._unit("40", "Tỉnh Nghệ An", "province")
    district = testing._unit("412", "Thành phố Vinh", "district", province)
    commune = testing._unit("16666", "Phường Hưng Bình", "commune", district)
    # No partition for province 40 yet: its events go to the default partition.
    other = testing.make_user("ytexa_na", Role.COMMUNE_HEALTH_WORKER, commune)
    actors = [staff.commune_worker_a, other] * 4
    outcomes = testing.race(
        [lambda a=a: audit_record(actor=a, action="people.update").pk for a in actors]
    )
    ids = [value for kind, value in outcomes if kind == "ok"]
    assert len(ids) == len(actors) == len(set(ids))
    provinces = sorted(AuditEvent.objects.filter(pk__in=ids).values_list("province", flat=True))
    assert provinces == ["38"] * 4 + ["40"] * 4
