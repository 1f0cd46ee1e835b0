"""A real browser on a phone-sized screen: an F0 reports SpO2 95 through the personal link
and the alert appears in the care team's queue without a reload (htmx polling)."""

import pytest
from playwright.sync_api import expect

from phongdich.cases import services

from .builders import make_case

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_an_f0_reports_spo2_95_and_the_care_team_queue_shows_it(
    live_server, page, login, browser, world, staff
):
    case = make_case(world, staff.commune_worker_a, name="Hoàng Thị Nhung")
    _link, raw = services.case_link_issue(by=staff.commune_worker_a, case=case)

    # The care team member of commune A has the queue open on her phone.
    page.set_viewport_size(PHONE)
    login(staff.care_team_a)
    page.goto(f"{live_server.url}/cases/")
    row = page.locator(f"#case-{case.pk}")
    expect(row).to_contain_text("Hoàng Thị Nhung")
    expect(row.locator(".badge.danger")).to_have_count(0)
    page.evaluate("window.__notReloaded = true")

    # The F0, on another phone with no account, fills the form from the link.
    f0 = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        phone = f0.new_page()
        phone.goto(f"{live_server.url}/cases/c/{raw}/")
        phone.fill("#id_spo2", "95")
        phone.fill("#id_temperature", "37.8")
        phone.get_by_label("Ho", exact=True).check()
        phone.click("button[type=submit]")
        expect(phone.locator("#danger")).to_contain_text("SpO2 95%")
    finally:
        f0.close()

    # Within one polling interval the alert is in the queue, and the page was not reloaded.
    expect(row.locator(".badge.danger")).to_be_visible(timeout=25_000)
    expect(row).to_contain_text("SpO2 95%")
    assert page.evaluate("window.__notReloaded") is True

    # The care team acknowledges it from the queue.
    row.get_by_role("button", name="Tiếp nhận").click()
    expect(row).to_contain_text("Đã tiếp nhận")
