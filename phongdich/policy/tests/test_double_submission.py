"""An "add a row" form sent twice (a double click, a browser retry) adds one policy row.

Every registered table shares the one create form, so the key is checked once for all of
them (policy.models.RowSubmission). The racing test runs real threads on PostgreSQL (in
turn on SQLite, see phongdich/testing.py).
"""

import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from phongdich.audit.models import AuditEvent
from phongdich.testing import make_staff, make_world, race, winners

pytestmark = pytest.mark.skipif(
    not apps.is_installed("phongdich.hotline"), reason="tested on the hotline's routing table"
)

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
URL = reverse("policy:create", args=["hotline-routing"])


def _key(page) -> str:
    found = KEY.search(page.content.decode())
    assert found, "the form carries no submission key"
    return found.group(1)


def _station(world, name="Trạm y tế Hàm Rồng"):
    from phongdich.hotline.models import ResponsibleUnit

    return ResponsibleUnit.objects.create(
        name=name, kind="health_station", admin_unit=world.commune_a
    )


def _rules(world):
    from phongdich.hotline.models import RoutingRule

    return RoutingRule.objects.filter(admin_unit=world.commune_a)


def test_a_double_submitted_row_is_added_once(client, staff, world):
    station = _station(world)
    client.force_login(staff.province_admin)
    data = {
        "submission_key": _key(client.get(URL)),
        "admin_unit": world.commune_a.pk,
        "unit": station.pk,
        "active": "on",
    }
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert first.status_code == second.status_code == 302
    assert _rules(world).count() == 1
    assert AuditEvent.objects.filter(action="policy.hotline.routingrule.create").count() == 1


def test_every_create_page_gets_its_own_key(client, staff):
    client.force_login(staff.province_admin)
    assert _key(client.get(URL)) != _key(client.get(URL))


def test_a_key_reused_for_other_values_is_refused_and_a_new_key_offered(client, staff, world):
    station, other = _station(world), _station(world, "Trạm y tế Đông Thọ")
    client.force_login(staff.province_admin)
    key = _key(client.get(URL))
    data = {"submission_key": key, "admin_unit": world.commune_a.pk, "unit": station.pk}
    client.post(URL, data)
    page = client.post(URL, data | {"unit": other.pk})
    assert page.status_code == 200
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert _key(page) != key
    assert list(_rules(world).values_list("unit", flat=True)) == [station.pk]


@pytest.mark.django_db(transaction=True)
def test_racing_create_posts_with_one_key_add_one_row():
    world = make_world()
    staff = make_staff(world)
    station = _station(world)
    data = {
        "submission_key": "p" * 24,
        "admin_unit": world.commune_a.pk,
        "unit": station.pk,
        "active": "on",
    }

    def post():
        client = Client()
        client.force_login(staff.province_admin)
        return client.post(URL, data)

    outcomes = race([post for _ in range(4)])
    assert [r.status_code for r in winners(outcomes)] == [302] * 4
    assert _rules(world).count() == 1
