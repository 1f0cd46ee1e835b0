"""The audit trail cannot be changed or removed: by the model, the ORM in bulk, or (on
PostgreSQL) raw SQL against the database."""

import pytest
from django.db import IntegrityError, connection, models, transaction

from phongdich.audit.models import AppendOnlyError, AuditEvent, AuditReadSubject
from phongdich.audit.services import audit_read, audit_record

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger exists only on PostgreSQL; SQLite keeps the model and queryset guard",
)


@pytest.fixture
def read_event(world, staff):
    from phongdich.people.services import person_register

    person, _ = person_register(
        by=staff.province_admin, full_name="Đỗ Thị Hoa", birth_year=1970, commune=world.commune_a
    )
    return audit_read(actor=staff.commune_worker_a, target=person)


def test_the_orm_refuses_bulk_update_and_delete_of_events(read_event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=read_event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=read_event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([read_event], ["action"])
    assert AuditEvent.objects.get(pk=read_event.pk).action == "read"


def test_the_orm_refuses_to_change_or_remove_read_subjects(read_event):
    subject = AuditReadSubject.objects.get(event=read_event)
    with pytest.raises(AppendOnlyError):
        AuditReadSubject.objects.filter(pk=subject.pk).update(person_id=0)
    with pytest.raises(AppendOnlyError):
        AuditReadSubject.objects.all().delete()
    subject.person_id = 0
    with pytest.raises(AppendOnlyError):
        subject.save()
    with pytest.raises(AppendOnlyError):
        subject.delete()
    assert AuditReadSubject.objects.get(pk=subject.pk).person_id != 0


def test_deleting_the_actor_cannot_take_the_trail_with_it(read_event, staff):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        staff.commune_worker_a.delete()
    assert AuditEvent.objects.filter(pk=read_event.pk).exists()


def _plain(model):
    """A queryset without the append-only guard, as any code could build one: only the
    database stands in its way."""
    return models.QuerySet(model=model)


@on_postgresql
def test_postgresql_refuses_an_update_through_the_orm_and_raw_sql(read_event):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _plain(AuditEvent).filter(pk=read_event.pk).update(action="changed")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET actor_label = 'x' WHERE id = %s", [read_event.pk]
            )
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditreadsubject SET person_id = 0")
    assert AuditEvent.objects.get(pk=read_event.pk).action == "read"


@on_postgresql
def test_postgresql_refuses_a_delete_through_the_orm_and_raw_sql(read_event):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _plain(AuditReadSubject).filter(event=read_event)._raw_delete(connection.alias)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditreadsubject")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [read_event.pk])
    assert AuditEvent.objects.filter(pk=read_event.pk).exists()
    assert AuditReadSubject.objects.filter(event=read_event).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_still_flush_the_audit_tables():
    # pytest-django empties every table after this test (TRUNCATE on PostgreSQL, DELETE on
    # SQLite); the trigger must not stand in the way, or every later test would fail.
    audit_record(actor=None, action="test.flush")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_table_is_empty_again_after_the_flush():
    assert not AuditEvent.objects.exists()
