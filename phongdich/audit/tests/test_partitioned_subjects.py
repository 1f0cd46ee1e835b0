"""The audit's read subjects partitioned by province on PostgreSQL (migration 0008, issue 17
step 2): the one INSERT of an event's subjects names its code, so they land in their
province's partition (never the DEFAULT); the daily job makes a new province's; the table
stays append-only; the person page's "who read this" still finds every reader's rows."""

import re

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from phongdich import testing
from phongdich.accounts.models import Role
from phongdich.audit.models import AuditReadSubject
from phongdich.audit.selectors import person_reads
from phongdich.audit.services import audit_read_many
from phongdich.geo import province
from phongdich.people.models import Person

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]

TABLE = "audit_auditreadsubject"


@pytest.fixture
def other_worker(world):
    """A commune worker of a second province (40), its partitions prepared."""
    top = testing._unit("40", "Tỉnh Nghệ An", "province")
    district = testing._unit("412", "Thành phố Vinh", "district", top)
    commune = testing._unit("16666", "Phường Hưng Bình", "commune", district)
    province.prepare_partitions()
    return testing.make_user("ytexa_na", Role.COMMUNE_HEALTH_WORKER, commune)


def _where(event):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT tableoid::regclass::text FROM {TABLE} WHERE event_id = %s",
            [event.pk],
        )
        return [name for (name,) in cursor.fetchall()]


def _partitions_read(qs):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return sorted(set(re.findall(rf" on ({TABLE}_p[0-9A-Za-z]+)\b", plan)))


def test_the_table_is_partitioned_and_the_job_makes_a_new_provinces_partition(world):
    assert province.is_partitioned(connection, TABLE)
    top = testing._unit("40", "Tỉnh Nghệ An", "province")
    testing._unit(
        "16666", "Phường Hưng Bình", "commune", testing._unit("412", "Vinh", "district", top)
    )
    assert f"{TABLE}_p40" in province.prepare_partitions().created
    assert province.prepare_partitions().created == []  # idempotent


def test_subjects_land_in_their_events_province_partition(world, staff, other_worker):
    people = [Person.objects.create(full_name=f"N {i}", commune=world.commune_a) for i in range(3)]
    here = audit_read_many(actor=staff.commune_worker_a, action="people.search", records=people)
    # A reader of another province (a hand-over) files the subjects under their own code.
    there = audit_read_many(actor=other_worker, action="people.search", records=people[:1])
    # A system read (no actor): the home province's.
    system = audit_read_many(actor=None, action="people.export", records=people[:2])
    assert [_where(e) for e in (here, there, system)] == [
        [f"{TABLE}_p38"],
        [f"{TABLE}_p40"],
        [f"{TABLE}_p38"],
    ]
    # The person page's "who read this" reads every province's readers (a reader's code,
    # not the person's, files the row): all three events, newest first.
    assert [s.event_id for s in person_reads(people[0])] == [system.pk, there.pk, here.pk]
    # An event's subjects, named by its code, read one partition.
    subjects = AuditReadSubject.objects.filter(event=here, province="38")
    assert _partitions_read(subjects) == [f"{TABLE}_p38"]
    assert len(_partitions_read(AuditReadSubject.objects.filter(event=here))) == 3


def test_the_partitioned_table_is_still_append_only(world, staff):
    person = Person.objects.create(full_name="N", commune=world.commune_a)
    audit_read_many(actor=staff.commune_worker_a, action="people.search", records=[person])
    for sql in (f"UPDATE {TABLE} SET person_id = 0", f"DELETE FROM {TABLE}"):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    # Moving a row to another province's partition is an UPDATE too: refused.
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET province = '40'")
    assert AuditReadSubject.objects.filter(person_id=person.pk).count() == 1
