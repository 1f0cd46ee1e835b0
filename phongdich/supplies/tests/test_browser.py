"""In a browser at phone width: a citizen opens the public purchase summary without logging
in, and a health officer takes a dossier's next step."""

import pytest

from phongdich.supplies import procurement as proc

from .builders import item

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_the_public_summary_and_a_dossier_step_fit_a_phone(live_server, page, login, world, staff):
    record = proc.procurement_create(
        by=staff.province_health_officer,
        unit=world.district_a,
        need="Bổ sung bình oxy cho khu cách ly",
        item=item("binh-oxy-40l"),
        quantity=300,
        supplier="Công ty TNHH Thiết bị y tế Miền Bắc",
        amount_vnd=1_050_000_000,
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/supplies/purchases/")
    assert "Công ty TNHH Thiết bị y tế Miền Bắc" in page.inner_text("#purchases")
    assert "1.050.000.000" in page.inner_text("#purchases")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    officer = login(staff.district_health_officer_a)
    officer.set_viewport_size(PHONE)
    officer.goto(f"{live_server.url}/supplies/procurement/{record.pk}/")
    assert officer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    officer.fill("#advance-form input[name=decision_number]", "101/QĐ-SYT")
    officer.click("#advance-form button[type=submit]")
    assert officer.inner_text("#status") == "Đã phê duyệt"
    assert "101/QĐ-SYT" in officer.content()
