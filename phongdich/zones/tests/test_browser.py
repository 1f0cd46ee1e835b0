"""In Chromium on a phone: the commune worker issues a household's link from the zone's
page; the household opens it, asks for food, sees the delivery the commune records and
confirms it received, and never sees another household."""

from datetime import date

import pytest
from playwright.sync_api import expect

from phongdich.zones import services
from phongdich.zones.models import Delivery, FoodRequest

from .builders import zone_in_force

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_a_household_asks_and_confirms_a_delivery_on_its_phone(
    live_server, page, login, world, staff
):
    zone = zone_in_force(world, staff)
    household = services.household_add(
        by=staff.commune_worker_b, zone=zone, address="Số 12 ngõ 4 Bắc Sơn", phone="+84912000111"
    )
    services.household_add(by=staff.commune_worker_b, zone=zone, address="Số 99 nhà bên")

    page.set_viewport_size(PHONE)
    login(staff.commune_worker_b)
    page.goto(f"{live_server.url}/zones/{zone.pk}/")
    page.locator("#households tr", has_text="Số 12 ngõ 4").locator("button").click()
    link = page.input_value("#new-link")
    assert "/zones/h/" in link
    page.context.clear_cookies()  # the household has no account

    page.goto(link)
    expect(page.locator("h1")).to_have_text("Lương thực, thực phẩm cho hộ")
    assert "Số 99 nhà bên" not in page.content()
    page.fill("#id_items", "Gạo, sữa cho trẻ")
    page.fill("#id_portions", "3")
    page.click("#ask-form button")
    expect(page.locator(".msg.success")).to_contain_text("Đã gửi yêu cầu")
    expect(page.locator("#my-requests")).to_contain_text("đã giao 0/3 suất")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    request = FoodRequest.objects.get()
    assert (request.source, request.household_id) == ("citizen", household.pk)

    services.delivery_record(
        by=staff.commune_worker_b,
        zone=zone,
        household=household,
        request=request,
        portions=3,
        delivered_on=date.today(),
        items="Gạo 10 kg, sữa",
    )
    page.reload()
    expect(page.locator("#my-requests")).to_contain_text("Đã đáp ứng")
    page.click("#my-deliveries button:has-text('Hộ đã nhận')")
    expect(page.locator("#my-deliveries")).to_contain_text("Đã xác nhận nhận hàng")
    assert Delivery.objects.get().confirmed_at is not None
