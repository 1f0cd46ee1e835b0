"""lib.query.write_together: the rows of a write that need nothing back, in one round trip
on PostgreSQL (data-modifying CTEs), in the caller's transaction, on both databases."""

import pytest
from django.db import connection, transaction

from phongdich.audit.models import AuditEvent
from phongdich.audit.services import audit_event
from phongdich.geo.models import AdminUnit
from phongdich.lib.query import Update, write_together


def _event(action: str, target=None):
    return audit_event(actor=None, action=action, target=target, changes={"n": action})


def test_it_writes_inserts_and_an_update_in_one_statement_on_postgresql(
    world, django_assert_num_queries
):
    commune = world.commune_a
    parts = [
        _event("lib.one", commune),
        Update(AdminUnit.objects.filter(pk=commune.pk), name="Phường Đổi Tên"),
        _event("lib.two"),
    ]
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        write_together(*parts)
    one = AuditEvent.objects.get(action="lib.one")
    # Compiled by Django: auto_now_add, the JSON, the home province, the target's label.
    assert one.at is not None and one.changes == {"n": "lib.one"}
    assert one.target_id == str(commune.pk) and one.province == world.province.code
    assert AuditEvent.objects.filter(action="lib.two").count() == 1
    assert AdminUnit.objects.get(pk=commune.pk).name == "Phường Đổi Tên"


def test_a_single_part_or_none_costs_one_statement_or_none(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        write_together()
        write_together(None)
    with django_assert_num_queries(1):
        write_together(None, _event("lib.alone"))
    assert AuditEvent.objects.filter(action="lib.alone").exists()


def test_the_rows_roll_back_with_the_callers_transaction(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        write_together(_event("lib.gone"), _event("lib.gone"))
        raise RuntimeError("the write failed after its rows")
    assert not AuditEvent.objects.filter(action="lib.gone").exists()
