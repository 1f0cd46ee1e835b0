"""The province's policy pages: who may use them, scope, list, edit, deactivate, export.

The generic pages are exercised through the hotline's tables (registered by the hotline app);
each app's own tests prove that an edit takes effect in the rule that reads it.
"""

import pytest
from django.apps import apps
from django.urls import reverse

from phongdich.audit.models import AuditEvent
from phongdich.lib.xlsx import read_rows
from phongdich.policy import registry
from phongdich.testing import make_user

pytestmark = pytest.mark.skipif(
    not apps.is_installed("phongdich.hotline"), reason="the pages are tested on hotline tables"
)


@pytest.fixture
def routing(world):
    from phongdich.hotline.models import Category, ResponsibleUnit, RoutingRule

    food = Category.objects.get(code="food")
    station_a = ResponsibleUnit.objects.create(
        name="Trạm y tế Hàm Rồng", kind="health_station", admin_unit=world.commune_a
    )
    station_b = ResponsibleUnit.objects.create(
        name="Trạm y tế Bắc Sơn", kind="health_station", admin_unit=world.commune_b
    )
    rule_a = RoutingRule.objects.create(category=None, admin_unit=world.commune_a, unit=station_a)
    rule_b = RoutingRule.objects.create(category=food, admin_unit=world.commune_b, unit=station_b)
    return {"station_a": station_a, "station_b": station_b, "rule_a": rule_a, "rule_b": rule_b}


def _urls(routing):
    from phongdich.hotline.models import SlaPolicy

    sla = SlaPolicy.objects.get(priority="P3")
    return [
        reverse("policy:index"),
        reverse("policy:list", args=["hotline-sla"]),
        reverse("policy:edit", args=["hotline-sla", sla.pk]),
        reverse("policy:create", args=["hotline-routing"]),
        reverse("policy:deactivate", args=["hotline-routing", routing["rule_a"].pk]),
        reverse("policy:export", args=["hotline-routing"]),
    ]


def test_it_lets_the_province_admin_open_every_page(client, staff, routing):
    client.force_login(staff.province_admin)
    for url in _urls(routing):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "who",
    [
        "district_health_officer_a",
        "province_health_officer",
        "commune_worker_a",
        "hotline_agent",
        "checkpoint_officer",
        "committee_member",
    ],
)
def test_it_refuses_other_roles(client, staff, routing, who):
    client.force_login(getattr(staff, who))
    for url in _urls(routing):
        assert client.get(url).status_code == 403, url
    sla_url = _urls(routing)[2]
    assert client.post(sla_url, {"priority": "P3", "minutes": "5"}).status_code == 403
    from phongdich.hotline.models import SlaPolicy

    assert SlaPolicy.objects.get(priority="P3").minutes == 24 * 60


def test_it_sends_anonymous_visitors_to_the_login_page(client, world, routing):
    for url in _urls(routing):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_it_shows_the_province_admin_a_menu_entry(client, staff):
    client.force_login(staff.province_admin)
    assert reverse("policy:index") in client.get(reverse("home")).content.decode()
    client.force_login(staff.commune_worker_a)
    assert reverse("policy:index") not in client.get(reverse("home")).content.decode()


def test_it_lists_every_registered_table_on_the_index(client, staff):
    client.force_login(staff.province_admin)
    page = client.get(reverse("policy:index")).content.decode()
    for table in registry.tables():
        assert reverse("policy:list", args=[table.slug]) in page


def test_it_scopes_a_district_admin_to_their_district(client, world, routing):
    admin_a = make_user("quantri.huyen", "province_admin", world.district_a)
    client.force_login(admin_a)
    page = client.get(reverse("policy:list", args=["hotline-routing"])).content.decode()
    assert "Trạm y tế Hàm Rồng" in page and "Trạm y tế Bắc Sơn" not in page
    # A row outside the district answers 404, so its existence is not revealed.
    other = reverse("policy:edit", args=["hotline-routing", routing["rule_b"].pk])
    assert client.get(other).status_code == 404
    assert client.post(other, {"admin_unit": world.commune_a.pk}).status_code == 404
    # Province-wide tables need the province's own admin.
    assert client.get(reverse("policy:list", args=["hotline-sla"])).status_code == 403
    # A unit outside the district cannot be chosen for a new rule.
    response = client.post(
        reverse("policy:create", args=["hotline-routing"]),
        {"admin_unit": world.commune_b.pk, "unit": routing["station_a"].pk, "active": "on"},
    )
    assert response.status_code == 200
    assert "admin_unit" in response.context["form"].errors


def test_it_refuses_an_admin_without_jurisdiction(client, world):
    nobody = make_user("quantri.trong", "province_admin", None)
    client.force_login(nobody)
    assert client.get(reverse("policy:list", args=["hotline-routing"])).status_code == 403
    assert "hotline-routing" not in client.get(reverse("policy:index")).content.decode()


def test_it_answers_404_for_an_unknown_table_or_row(client, staff):
    client.force_login(staff.province_admin)
    assert client.get(reverse("policy:list", args=["no-such-table"])).status_code == 404
    assert client.get(reverse("policy:edit", args=["hotline-sla", 999999])).status_code == 404


def test_it_edits_a_row_and_audits_before_and_after(client, staff):
    from phongdich.hotline.models import SlaPolicy

    sla = SlaPolicy.objects.get(priority="P2")
    client.force_login(staff.province_admin)
    response = client.post(
        reverse("policy:edit", args=["hotline-sla", sla.pk]),
        {"priority": "P2", "minutes": "90", "note": "1 giờ 30 phút"},
    )
    assert response.status_code == 302
    sla.refresh_from_db()
    assert sla.minutes == 90
    event = AuditEvent.objects.get(action="policy.hotline.slapolicy.update")
    assert event.actor == staff.province_admin
    assert event.target_id == str(sla.pk)
    assert event.changes["before"]["minutes"] == 120
    assert event.changes["after"]["minutes"] == 90
    assert "priority" not in event.changes["after"]  # only what changed


def test_it_keeps_fixed_fields_when_a_post_tries_to_change_them(client, staff):
    from phongdich.hotline.models import Category

    cdc = Category.objects.get(code="cdc")
    client.force_login(staff.province_admin)
    client.post(
        reverse("policy:edit", args=["hotline-categories", cdc.pk]),
        {
            "code": "renamed",
            "branch_number": "2",
            "name": "CDC tỉnh",
            "default_priority": "P3",
            "active": "on",
        },
    )
    cdc.refresh_from_db()
    assert (cdc.code, cdc.name) == ("cdc", "CDC tỉnh")


@pytest.mark.parametrize(
    "minutes", ["0", "-5", "abc", "99999999999999999999", str(30 * 24 * 60 + 1), ""]
)
def test_it_rejects_out_of_bounds_values_with_a_message(client, staff, minutes):
    from phongdich.hotline.models import SlaPolicy

    sla = SlaPolicy.objects.get(priority="P1")
    client.force_login(staff.province_admin)
    response = client.post(
        reverse("policy:edit", args=["hotline-sla", sla.pk]), {"priority": "P1", "minutes": minutes}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["minutes"]
    sla.refresh_from_db()
    assert sla.minutes == 15
    assert not AuditEvent.objects.filter(action__startswith="policy.").exists()


def test_it_refuses_a_duplicate_row_with_a_message(client, staff):
    client.force_login(staff.province_admin)
    response = client.post(
        reverse("policy:create", args=["hotline-sla"]), {"priority": "P1", "minutes": "10"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_it_asks_before_deactivating_and_keeps_the_row(client, staff, routing):
    from phongdich.hotline.models import RoutingRule

    rule = routing["rule_a"]
    url = reverse("policy:deactivate", args=["hotline-routing", rule.pk])
    client.force_login(staff.province_admin)
    page = client.get(url)
    assert page.status_code == 200 and "Ngừng áp dụng dòng này?" in page.content.decode()
    rule.refresh_from_db()
    assert rule.active  # asking changes nothing
    assert client.post(url).status_code == 302
    rule.refresh_from_db()
    assert not rule.active and RoutingRule.objects.filter(pk=rule.pk).exists()
    event = AuditEvent.objects.get(action="policy.hotline.routingrule.deactivate")
    assert event.changes == {"before": {"active": True}, "after": {"active": False}}
    client.post(reverse("policy:activate", args=["hotline-routing", rule.pk]))
    rule.refresh_from_db()
    assert rule.active
    assert AuditEvent.objects.filter(action="policy.hotline.routingrule.activate").exists()


def test_it_offers_no_deactivation_for_a_table_without_it(client, staff):
    from phongdich.hotline.models import SlaPolicy

    sla = SlaPolicy.objects.get(priority="P1")
    client.force_login(staff.province_admin)
    client.post(reverse("policy:deactivate", args=["hotline-sla", sla.pk]))
    assert SlaPolicy.objects.filter(pk=sla.pk).exists()
    assert not AuditEvent.objects.filter(action__startswith="policy.").exists()


def test_it_shows_the_regulation_and_an_unconfirmed_badge(client, staff):
    client.force_login(staff.province_admin)
    url = reverse("policy:list", args=["hotline-support"])
    page = client.get(url).content.decode()
    assert "Nghị quyết 68/NQ-CP" in page
    # Three NQ 68 lines are seeded as unconfirmed (RULES.md); the other three are confirmed.
    assert page.count('">chưa đối chiếu văn bản</span>') == 3
    only = client.get(url, {"unconfirmed": "1"}).content.decode()
    assert "household_business" in only and "f0_food" not in only


def test_it_filters_by_a_choice_and_by_state(client, staff, routing):
    from phongdich.hotline.models import Category

    client.force_login(staff.province_admin)
    food = Category.objects.get(code="food")
    page = client.get(reverse("policy:list", args=["hotline-routing"]), {"category": food.pk})
    assert [line["row"] for line in page.context["lines"]] == [routing["rule_b"]]
    routing["rule_a"].active = False
    routing["rule_a"].save()
    page = client.get(reverse("policy:list", args=["hotline-routing"]), {"state": "inactive"})
    assert [line["row"] for line in page.context["lines"]] == [routing["rule_a"]]
    # Nonsense filter values are ignored, never a 500.
    page = client.get(
        reverse("policy:list", args=["hotline-routing"]),
        {"category": "x'; DROP", "state": "??", "page": "-1"},
    )
    assert page.status_code == 200


def test_it_exports_the_table_to_xlsx(client, staff):
    client.force_login(staff.province_admin)
    response = client.get(reverse("policy:export", args=["hotline-support"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    rows = [cells for _line, cells in read_rows(response.content)]
    assert rows[0][-3:] == ["Văn bản quy định", "Chưa xác nhận", "Đang áp dụng"]
    by_code = {r[0]: r for r in rows[1:]}
    assert set(by_code) >= {"f0_food", "household_business"}
    assert by_code["household_business"][-2] == "Có"
    assert by_code["f0_food"][-2] == "Không"


def test_it_lists_a_table_in_a_fixed_number_of_queries(client, staff, routing, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from phongdich.hotline.models import ResponsibleUnit

    client.force_login(staff.province_admin)
    url = reverse("policy:list", args=["hotline-units"])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        unit = ResponsibleUnit.objects.create(
            name=f"Đơn vị {n}", kind="other", admin_unit=world.commune_a2
        )
        unit.focal_points.add(staff.commune_worker_a)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
