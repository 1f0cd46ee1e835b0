"""Readiness plans per epidemic level: what a unit plans to have, against what exists."""

from phongdich.facilities import selectors
from phongdich.facilities.models import ReadinessPlan

from .builders import site

PLAN = {
    "scenario": "30.000 F0 đang điều trị",
    "epidemic_level": "3",
    "active_cases": "30000",
    "beds_regular": "400",
    "beds_oxygen": "50",
    "beds_icu": "10",
    "beds_ventilator": "0",
    "staff": "120",
    "oxygen_kg": "5000",
    "medicine_bags": "2000",
}


def _lines(plan_card):
    return {line.label: (line.needed, line.existing, line.gap) for line in plan_card["lines"]}


def test_a_district_plan_against_its_beds_and_stock(client, world, staff):
    site(
        world, kind="tier2", beds_total=300, oxygen_beds_total=60, icu_beds_total=4, health_staff=70
    )
    site(world, kind="tier1", name="Trạm", beds_total=0, health_staff=15)
    site(world, unit=world.commune_b, kind="tier2", beds_total=500, health_staff=99)  # district B
    client.force_login(staff.district_health_officer_a)
    assert client.post("/facilities/plans/", PLAN).status_code == 302
    plan = ReadinessPlan.objects.get()
    assert plan.unit == world.district_a and plan.created_by == staff.district_health_officer_a
    board = selectors.bed_board(world.district_a)
    (card,) = selectors.readiness(world.district_a, board.totals, board.staff)
    lines = _lines(card)
    assert lines["Giường thường"] == (400, 300, 100)
    assert lines["Giường có oxy"] == (50, 60, 0)
    assert lines["Giường hồi sức tích cực"] == (10, 4, 6)
    assert lines["Nhân lực y tế"] == (120, 85, 35)
    page = client.get("/facilities/board/").content.decode()
    assert "30.000 F0 đang điều trị" in page


def test_oxygen_in_stock_counts_against_the_plan(client, world, staff):
    from django.apps import apps

    if not apps.is_installed("phongdich.supplies"):
        return
    from phongdich.supplies import services
    from phongdich.supplies.tests.builders import item, warehouse

    services.stock_receive(
        by=staff.province_admin,
        place=warehouse(world.district_a),
        item=item("oxy-long"),
        quantity=1200,
    )
    client.force_login(staff.district_health_officer_a)
    client.post("/facilities/plans/", PLAN)
    (card,) = selectors.readiness(world.district_a, selectors.bed_board(world.district_a).totals)
    assert _lines(card)["Oxy lỏng (kg)"] == (5000, 1200, 3800)


def test_a_new_version_of_a_scenario_replaces_the_old_one(client, world, staff):
    client.force_login(staff.province_health_officer)
    client.post("/facilities/plans/", PLAN)
    client.post("/facilities/plans/", {**PLAN, "beds_regular": "900"})
    client.post("/facilities/plans/", {**PLAN, "scenario": "Cấp độ 4", "epidemic_level": "4"})
    cards = selectors.readiness(world.province, selectors.bed_board(world.province).totals)
    assert [(c["plan"].scenario, c["plan"].beds_regular) for c in cards] == [
        ("30.000 F0 đang điều trị", 900),
        ("Cấp độ 4", 400),
    ]
    assert ReadinessPlan.objects.count() == 3


def test_plans_stay_in_the_jurisdiction(client, world, staff):
    client.force_login(staff.district_health_officer_a)
    assert client.get("/facilities/plans/", {"unit": world.district_b.code}).status_code == 404
    assert client.post(f"/facilities/plans/?unit={world.district_b.code}", PLAN).status_code == 404
    client.force_login(staff.committee_member)
    assert client.get("/facilities/plans/").status_code == 200
    assert client.post("/facilities/plans/", PLAN).status_code == 403
    assert not ReadinessPlan.objects.exists()
