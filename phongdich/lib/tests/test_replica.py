"""The read-replica router: dashboards read the replica alias when one is configured, and
everything else (the session, the user, any write and the reads inside a write's
transaction) stays on the primary."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from phongdich.geo.models import AdminUnit
from phongdich.lib.replica import REPLICA, ReplicaRouter, from_replica
from phongdich.testing import make_staff, make_world


@pytest.fixture
def replica_alias():
    """A second alias onto the test database, as a streaming replica would be in
    production (the same rows, another connection)."""
    connections.settings[REPLICA] = {**connections["default"].settings_dict}
    replica = connections[REPLICA]
    # Opened here: the test case only allows aliases it knew of when it was set up, unless
    # their connection is already open.
    replica.connect()
    yield replica
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def test_without_a_replica_every_read_goes_to_the_primary():
    router = ReplicaRouter()
    with from_replica():
        assert router.db_for_read(AdminUnit) is None
    assert router.db_for_write(AdminUnit) == "default"
    assert router.allow_migrate(REPLICA, "geo") is False
    assert router.allow_migrate("default", "geo") is True


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_reads_the_replica_and_the_session_the_primary(client, replica_alias):
    world = make_world()
    staff = make_staff(world)
    client.force_login(staff.committee_member)
    with CaptureQueriesContext(replica_alias) as on_replica:
        with CaptureQueriesContext(connections["default"]) as on_primary:
            response = client.get("/stats/dashboard/")
    assert response.status_code == 200
    assert len(on_replica) > 0
    assert any("django_session" in q["sql"] for q in on_primary.captured_queries)
    assert not any("django_session" in q["sql"] for q in on_replica.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_write_transaction_stay_on_the_primary(replica_alias):
    router = ReplicaRouter()
    with from_replica():
        assert router.db_for_read(AdminUnit) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(AdminUnit) is None
    assert router.db_for_read(AdminUnit) is None  # outside from_replica()
