"""The zones demo builds its three zones once, through the real services."""

import pytest

from phongdich.zones import demo, selectors
from phongdich.zones.models import Zone

pytestmark = pytest.mark.django_db


def test_the_demo_builds_zones_once(world, staff):
    users = {
        "tramyte.a": staff.commune_worker_a,
        "ytehuyen": staff.district_health_officer_a,
        "cuutro": staff.relief_officer,
    }
    demo.build(seed=1, scale=0.01, province=world.province, users=users, log=lambda *a: None)
    demo.build(seed=1, scale=0.01, province=world.province, users=users, log=lambda *a: None)
    statuses = sorted(Zone.objects.values_list("status", flat=True))
    assert statuses == ["in_force", "lifted", "proposed"]
    street = Zone.objects.get(status="in_force")
    assert selectors.supply_summary(street).open_requests >= 1
    gaps = selectors.food_gaps(selectors.zones_for(staff.relief_officer), street.started_on)
    assert gaps == [] or all(h.zone_id == street.pk for h in gaps)
    lifted = Zone.objects.get(status="lifted")
    kinds = list(lifted.changes.order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "decided", "facts", "decided"]
