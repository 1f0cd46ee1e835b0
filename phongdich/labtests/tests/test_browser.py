"""In a browser on a phone: a sampling-point officer takes a sample at the round's point and
records its result, and the round's figures count it; a zone's page shows its lifting inputs
read from the cases and the closed rounds."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from phongdich.labtests.models import Sample

from . import builders

PHONE = {"width": 390, "height": 844}


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


@pytest.mark.django_db(transaction=True)
def test_a_sampling_point_officer_takes_a_sample_and_records_its_result(
    live_server, login, world, staff
):
    rnd = builders.screening_round(world, staff, units=[world.commune_a], target_people=10)
    point = builders.point(world, staff, rnd, name="Nhà văn hóa khu 5", team="Tổ 3")
    page = login(staff.commune_worker_a)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/labtests/campaigns/")
    page.click("#open-rounds a")
    page.click("#points a")
    _fits(page)
    form = page.locator("#point-sample")
    form.locator("input[name=barcode]").fill("HR-000123")
    form.locator("input[name=full_name]").fill("Đỗ Thị Lấy Mẫu")
    form.locator("input[name=birth_year]").fill("1968")
    form.locator("input[name=address]").fill("9 Lê Lai")
    form.locator("select[name=commune]").select_option(str(world.commune_a.pk))
    form.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi mẫu HR-000123")
    expect(page.locator("#point-samples")).to_contain_text("Đỗ Thị Lấy Mẫu")
    sample = Sample.objects.get(barcode="HR-000123")
    assert (sample.point_id, sample.round_id, sample.team) == (point.pk, rnd.pk, "Tổ 3")

    page.click("#point-samples a")
    _fits(page)
    result = page.locator("#result-form")
    result.locator("select[name=result]").select_option("negative")
    result.locator("input[name=lab]").fill("CDC Thanh Hóa")
    result.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi kết quả")
    assert Sample.objects.get(pk=sample.pk).result == "negative"

    page.goto(f"{live_server.url}/labtests/rounds/{rnd.pk}/")
    _fits(page)
    expect(page.locator("#round-figures tfoot")).to_contain_text("1")


@pytest.mark.django_db(transaction=True)
def test_a_zone_page_shows_its_lifting_inputs(live_server, login, world, staff):
    from phongdich.zones.tests.builders import zone_in_force
    from phongdich.zones.tests.test_lift_inputs import _case_on, _closed_round

    start = date(2021, 8, 1)
    zone = zone_in_force(world, staff, started_on=start)
    _case_on(world, staff, world.commune_b, start + timedelta(days=2))
    _closed_round(world, staff, world.commune_b, start + timedelta(days=3))
    page = login(staff.commune_worker_b)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/zones/{zone.pk}/")
    _fits(page)
    expect(page.locator("#last-case")).to_have_text("03/08/2021")
    expect(page.locator("#last-round")).to_have_text("04/08/2021")
    expect(page.locator("#lift-inputs")).to_contain_text("theo danh sách F0 của xã")
    expect(page.locator("#lifting")).to_contain_text("Có thể gỡ")
    page.goto(f"{live_server.url}/zones/public/")
    _fits(page)
    expect(page.locator("#public-zones")).to_contain_text(zone.name)
