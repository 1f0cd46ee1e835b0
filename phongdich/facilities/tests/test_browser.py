"""In a browser: a district officer raises a hospital's oxygen beds and the board's free
count rises; a care-team member transfers an F0 into the hospital and the board's free
count drops by one; an oxygen bed taken at the facility drops the oxygen count by one. The
board fits a phone."""

import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from phongdich.facilities.models import Facility
from phongdich.testing import PASSWORD

PHONE = {"width": 390, "height": 844}


def _free(page, bed_type):
    text = page.locator(f"#totals [data-bed-type={bed_type}] .stat.free").inner_text()
    return int(re.sub(r"\D", "", text))


@pytest.mark.django_db(transaction=True)
def test_raised_oxygen_beds_and_a_transfer_show_on_the_board(
    live_server, login, browser, world, staff
):
    hospital = Facility.objects.create(
        name="Bệnh viện Đa khoa Thành phố",
        kind="tier2",
        unit=world.district_a,
        beds_total=20,
        oxygen_beds_total=4,
    )
    board = f"{live_server.url}/facilities/board/"

    page = login(staff.district_health_officer_a)
    page.set_viewport_size(PHONE)
    page.goto(board)
    assert (_free(page, "oxygen"), _free(page, "regular")) == (4, 20)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"{live_server.url}/facilities/{hospital.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("#capacity-form select[name=bed_type]", "oxygen")
    page.fill("#capacity-form input[name=total]", "10")
    page.fill("#capacity-form input[name=note]", "Lắp thêm hệ thống oxy")
    page.click("#capacity-form button[type=submit]")
    expect(page.locator(".msg.success")).to_contain_text("Đã cập nhật số giường")
    expect(page.locator("#beds tr[data-bed-type=oxygen] .free")).to_have_text("10")
    page.goto(board)
    assert _free(page, "oxygen") == 10

    if apps.is_installed("phongdich.cases"):
        from phongdich.cases.tests.builders import make_case

        case = make_case(world, staff.care_team_a)
        care = browser.new_page()
        care.goto(f"{live_server.url}/login/")
        care.fill("#id_username", staff.care_team_a.username)
        care.fill("#id_password", PASSWORD)
        care.click("button[type=submit]")
        care.goto(f"{live_server.url}/cases/{case.pk}/transfer/")
        care.select_option("select[name=to_place]", "tier2")
        care.select_option("select[name=facility]", str(hospital.pk))
        care.fill("input[name=reason]", "SpO2 94%, cần thở oxy")
        care.click("form.card button[type=submit]")
        care.wait_for_url(re.compile(rf".*/cases/{case.pk}/$"))
        page.goto(board)
        assert _free(page, "regular") == 19

    page.goto(f"{live_server.url}/facilities/{hospital.pk}/")
    page.select_option("#admit-form select[name=bed_type]", "oxygen")
    page.click("#admit-form button[type=submit]")
    expect(page.locator(".msg.success")).to_contain_text("Đã nhận một người vào giường")
    page.goto(board)
    assert _free(page, "oxygen") == 9
    if apps.is_installed("phongdich.supplies"):
        for path in ("/supplies/", "/facilities/plans/"):
            page.goto(live_server.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
