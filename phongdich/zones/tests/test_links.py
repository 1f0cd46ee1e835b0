"""A checkpoint officer or a hotline agent sees that a person's commune holds an active zone."""

import pytest

from phongdich.checkpoints.tests import builders as checkpoint_builders
from phongdich.people.services import person_register

from .builders import proposed_zone, zone_in_force

pytestmark = pytest.mark.django_db


def test_the_hotline_caller_card_names_the_active_zone(client, world, staff):
    zone_in_force(world, staff, name="Khu phố 7 Bắc Sơn")
    proposed_zone(world, staff, name="Vùng mới đề xuất")  # not in force: not shown
    person_register(
        by=staff.commune_worker_b,
        full_name="Trần Thị Gọi",
        phone="0912000111",
        commune=world.commune_b,
    )
    client.force_login(staff.hotline_agent)
    body = client.get("/hotline/call/lookup/?caller_phone=0912000111").content.decode()
    assert "Khu phố 7 Bắc Sơn" in body and "caller-zone" in body
    assert "Vùng mới đề xuất" not in body


def test_the_checkpoint_decision_names_the_destinations_zone(client, world, staff):
    zone_in_force(world, staff, name="Khu phố 7 Bắc Sơn")
    declaration, _raw = checkpoint_builders.declaration(world.commune_b)
    client.force_login(staff.checkpoint_officer)
    response = client.post("/checkpoints/", {"code": declaration.code})
    body = response.content.decode()
    assert response.status_code == 200
    assert "destination-zone" in body and "Khu phố 7 Bắc Sơn" in body
