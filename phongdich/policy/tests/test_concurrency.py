"""Two province admins save the same policy row at the same moment, each changing a
different field: both changes survive, and each audit event's "before" is what that admin's
write really replaced.

On PostgreSQL the two saves run in real threads on separate connections, released by a
barrier; on SQLite (one writer) they run one after the other.
"""

import threading

import pytest
from django.apps import apps
from django.db import connection, connections

from phongdich.audit.models import AuditEvent
from phongdich.policy import registry, services
from phongdich.testing import make_staff, make_world

pytestmark = pytest.mark.skipif(
    not apps.is_installed("phongdich.hotline"), reason="tested on the hotline's SLA table"
)


@pytest.mark.django_db(transaction=True)
def test_two_admins_editing_one_row_keep_both_changes():
    from phongdich.hotline.models import SlaPolicy

    world = make_world()
    staff = make_staff(world)
    second_admin = staff.province_admin.__class__.objects.create(
        username="quantri2", role="province_admin", jurisdiction=world.province
    )
    table = registry.get("hotline-sla")
    for round_number in range(5):
        SlaPolicy.objects.filter(priority="P2").delete()
        row = SlaPolicy.objects.create(priority="P2", minutes=120, note="2 giờ")
        edits = [
            (staff.province_admin, {"minutes": 90 + round_number}),
            (second_admin, {"note": f"vòng {round_number}"}),
        ]
        if connection.vendor == "postgresql":
            barrier = threading.Barrier(2)
            errors = []

            def save(admin, values, row_id=row.pk, barrier=barrier, errors=errors):
                try:
                    stale = SlaPolicy.objects.get(pk=row_id)  # both read before either writes
                    barrier.wait(timeout=10)
                    services.policy_row_update(by=admin, table=table, row=stale, values=values)
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=save, args=edit) for edit in edits]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert errors == []
        else:
            stale = SlaPolicy.objects.get(pk=row.pk)
            for admin, values in edits:
                services.policy_row_update(by=admin, table=table, row=stale, values=values)
        row.refresh_from_db()
        assert (row.minutes, row.note) == (90 + round_number, f"vòng {round_number}")
        events = AuditEvent.objects.filter(
            action="policy.hotline.slapolicy.update", target_id=str(row.pk)
        )
        assert sorted(tuple(e.changes["after"]) for e in events) == [("minutes",), ("note",)]
        assert {e.changes["before"].get("minutes") for e in events} - {None} == {120}
        assert {e.changes["before"].get("note") for e in events} - {None} == {"2 giờ"}
