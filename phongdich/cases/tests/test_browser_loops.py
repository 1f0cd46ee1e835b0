"""The loops between modules, in a real browser on a phone-sized screen: a danger alert
escalated to a transfer chosen by free beds; an alert and its hotline ticket closed
together after a confirmation step; an ineligible F0 listed as a transfer to do until an
override with a reason; the hotline agent reading the caller's case summary (not a 403)."""

import pytest
from playwright.sync_api import expect

from phongdich.audit.models import AuditEvent
from phongdich.cases.models import Alert, Case, Transfer
from phongdich.facilities.models import Facility
from phongdich.hotline.models import Category, ResponsibleUnit, RoutingRule, Status, Ticket

from .builders import make_case, submit

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def hotline_policy(world):
    # transaction=True tests start from an empty database: re-seed the migration's rows.
    if not Category.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("phongdich.hotline.migrations.0002_seed_policy").seed(apps, None)
    station = ResponsibleUnit.objects.create(
        name="Trạm y tế Hàm Rồng",
        kind="health_station",
        admin_unit=world.commune_a,
        phone="0237 3852 111",
    )
    RoutingRule.objects.create(category=None, admin_unit=world.commune_a, unit=station)
    return station


def _logout(page):
    page.click("text=Đăng xuất")


@pytest.mark.django_db(transaction=True)
def test_escalating_a_danger_alert_leads_to_a_transfer_chosen_by_free_beds(
    live_server, page, login, world, staff, hotline_policy
):
    full = Facility.objects.create(
        name="BV Đa khoa huyện", kind="tier2", unit=world.district_a, beds_total=2, beds_occupied=2
    )
    roomy = Facility.objects.create(
        name="BV Đa khoa tỉnh", kind="tier2", unit=world.district_a, beds_total=40, beds_occupied=10,
        oxygen_beds_total=4,
    )
    small = Facility.objects.create(
        name="Cơ sở tầng 1 phường", kind="tier1", unit=world.commune_a, beds_total=5
    )
    case = make_case(world, staff.commune_worker_a, name="Phạm Văn Bình")
    alert = submit(case, spo2=95).alert

    page.set_viewport_size(PHONE)
    login(staff.care_team_a)
    page.goto(f"{live_server.url}/cases/")
    row = page.locator(f"#case-{case.pk}")
    row.get_by_role("link", name="Chuyển tuyến").click()

    # The transfer page names the alert and asks the bed type the patient needs: preset to
    # a bed with oxygen for a moderate F0, with facilities listed by free beds of that type.
    expect(page.locator("#alert-summary")).to_contain_text("SpO2 95%")
    expect(page.locator("#id_need_bed_type")).to_have_value("oxygen")
    options = page.locator("#id_facility option")
    expect(options.nth(1)).to_contain_text("BV Đa khoa tỉnh")
    expect(page.locator(f"#id_facility option[value='{small.pk}']")).to_be_disabled()
    # Asked for regular beds, the list re-sorts by them, full ones off.
    page.select_option("#id_need_bed_type", "regular")
    page.get_by_role("button", name="Xem cơ sở còn giường").click()
    expect(page.locator("#id_need_bed_type")).to_have_value("regular")
    names = [options.nth(i).inner_text() for i in range(options.count())]
    assert [n.split(" (")[0] for n in names[1:]] == [
        "BV Đa khoa tỉnh",
        "Cơ sở tầng 1 phường",
        "BV Đa khoa huyện",
    ]
    expect(page.locator(f"#id_facility option[value='{full.pk}']")).to_be_disabled()
    page.select_option("#id_need_bed_type", "oxygen")
    page.get_by_role("button", name="Xem cơ sở còn giường").click()
    expect(page.locator("#id_need_bed_type")).to_have_value("oxygen")
    page.select_option("#id_to_place", "tier2")
    page.select_option("#id_facility", str(roomy.pk))
    page.fill("#id_reason", "SpO2 95%, khó thở tăng")
    page.get_by_role("button", name="Xác nhận chuyển").click()

    expect(page.locator("main, body").first).to_contain_text("Đã chuyển nơi điều trị")
    case.refresh_from_db()
    alert.refresh_from_db()
    roomy.refresh_from_db()
    small.refresh_from_db()
    assert case.treatment_place == "tier2" and case.facility == roomy
    assert Transfer.objects.get(case=case).alert == alert
    assert alert.outcome == Alert.Outcome.TRANSFERRED
    # The oxygen bed was taken, not a regular one.
    assert (roomy.oxygen_beds_occupied, roomy.beds_occupied, small.beds_occupied) == (1, 10, 0)
    # The hotline ticket opened for the alert is resolved with it.
    assert Ticket.objects.get(alert=alert).status == Status.RESOLVED


@pytest.mark.django_db(transaction=True)
def test_closing_an_alert_asks_first_and_closes_its_ticket_too(
    live_server, page, login, world, staff, hotline_policy
):
    case = make_case(world, staff.commune_worker_a, name="Ngô Thị Lan")
    alert = submit(case, spo2=95).alert
    ticket = Ticket.objects.get(alert=alert)
    assert ticket.status == Status.NEW and "SpO2 95%" in ticket.text

    page.set_viewport_size(PHONE)
    login(staff.care_team_a)
    page.goto(f"{live_server.url}/cases/")
    page.locator(f"#case-{case.pk}").get_by_role("link", name="Đã xử lý").click()

    # The confirmation page says what will happen, including the ticket.
    expect(page.locator("#consequences")).to_contain_text(f"Phiếu tổng đài #{ticket.pk}")
    # A note is required: the browser refuses an empty one; the server does too.
    page.get_by_label("Đã gọi điện, tiếp tục theo dõi").check()
    page.get_by_role("button", name="Xác nhận đóng cảnh báo").click()
    alert.refresh_from_db()
    assert alert.is_open
    page.fill("#id_note", "Đã gọi, F0 thở ổn, dặn đo lại SpO2 sau 2 giờ")
    page.get_by_role("button", name="Xác nhận đóng cảnh báo").click()
    expect(page.locator("body")).to_contain_text("Đã đóng cảnh báo")
    expect(page.locator(f"#case-{case.pk} .badge.danger")).to_have_count(0)

    alert.refresh_from_db()
    ticket.refresh_from_db()
    assert alert.outcome == "called" and ticket.status == Status.RESOLVED

    # The desk sees the ticket resolved, with the care team's outcome in its history.
    _logout(page)
    login(staff.hotline_agent)
    page.goto(f"{live_server.url}/hotline/t/{ticket.pk}/")
    expect(page.locator("#ticket-status")).to_have_text("Đã giải quyết")
    expect(page.locator("body")).to_contain_text("dặn đo lại SpO2 sau 2 giờ")
    expect(page.locator("#ticket-alert")).to_contain_text(f"#{alert.pk}")


@pytest.mark.django_db(transaction=True)
def test_an_ineligible_f0_is_a_transfer_to_do_until_overridden_with_a_reason(
    live_server, page, login, world, staff
):
    case = make_case(world, staff.commune_worker_a, name="Đỗ Văn Tư", can_self_care=False)

    page.set_viewport_size(PHONE)
    login(staff.care_team_a)
    page.goto(f"{live_server.url}/cases/")
    pending = page.locator(f"#transfer-{case.pk}")
    expect(pending).to_contain_text("Đỗ Văn Tư")
    expect(pending).to_contain_text("Không đủ điều kiện điều trị tại nhà")
    pending.get_by_role("link", name="Chuyển tuyến").click()

    # No reason, no override (the browser refuses the empty field; so does the server).
    page.get_by_role("button", name="Xác nhận không chuyển").click()
    case.refresh_from_db()
    assert case.transfer_need == "ineligible"
    page.fill("#override-form textarea", "Con gái về ở cùng chăm sóc; bác sĩ trạm đồng ý")
    page.get_by_role("button", name="Xác nhận không chuyển").click()
    expect(page.locator("body")).to_contain_text("Đã ghi lý do không chuyển tuyến")

    page.goto(f"{live_server.url}/cases/")
    expect(page.locator(f"#transfer-{case.pk}")).to_have_count(0)
    assert Case.objects.get(pk=case.pk).transfer_need == ""
    event = AuditEvent.objects.get(action="cases.transfer_override")
    assert event.changes["reason"] == "Con gái về ở cùng chăm sóc; bác sĩ trạm đồng ý"


@pytest.mark.django_db(transaction=True)
def test_the_hotline_agent_sees_the_callers_case_summary(
    live_server, page, login, world, staff, hotline_policy
):
    case = make_case(world, staff.commune_worker_a, name="Vũ Thị Mai", id_number="038190001234")
    alert = submit(case, spo2=95).alert
    ticket = Ticket.objects.get(alert=alert)

    page.set_viewport_size(PHONE)
    login(staff.hotline_agent)
    page.goto(f"{live_server.url}/hotline/t/{ticket.pk}/")
    page.click("#case-summary-link")

    summary = page.locator("#case-summary")
    expect(summary).to_contain_text("Đang điều trị/theo dõi")
    expect(summary).to_contain_text("Tại nhà")
    expect(summary).to_contain_text("0 ngày")
    expect(summary).to_contain_text("1 cảnh báo nguy hiểm")
    expect(page.locator("#station")).to_contain_text("0237 3852 111")
    html = page.content()
    assert "038190001234" not in html
    # The agent's role may not open the full record: no dead link on the page.
    assert f"/cases/{case.pk}/" not in html
    assert AuditEvent.objects.filter(action="hotline.case_summary_read").count() == 1
