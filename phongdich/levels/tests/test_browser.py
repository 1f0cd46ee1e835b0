"""In Chromium: a health officer reviews the day's levels and overrides one with a reason;
the committee member publishes every reviewed level at once after the confirmation, sees
the map change from the hollow proposal to the published colour (an imported outline for
one commune, points for the others), and downloads the briefing PDF."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phongdich.levels import services
from phongdich.levels.models import Assessment, UnitShape
from phongdich.stats.models import UnitFigure

PHONE = {"width": 390, "height": 844}
SQUARE = [[105.7, 19.8], [105.8, 19.8], [105.8, 19.9], [105.7, 19.9], [105.7, 19.8]]


def _logout(page, live_server):
    page.context.clear_cookies()


@pytest.mark.django_db(transaction=True)
def test_review_override_publish_all_map_and_briefing_pdf(live_server, page, login, world, staff):
    today = timezone.localdate()
    UnitFigure.objects.bulk_create(
        UnitFigure(unit=u, metric="cases.new_community", day=today - timedelta(days=i), value=9)
        for u in (world.commune_a, world.district_a, world.province)
        for i in range(14)
    )
    services.levels_assess(by=None, day=today, province=world.province)
    UnitShape.objects.create(
        unit=world.commune_a, geometry={"type": "Polygon", "coordinates": [SQUARE]}, points=5
    )
    a = Assessment.objects.get(unit=world.commune_a, day=today)
    assert a.computed_level == 4

    # The health officer reviews Hàm Rồng at level 3 instead of 4, with a reason.
    page.set_viewport_size(PHONE)
    login(staff.province_health_officer)
    page.goto(f"{live_server.url}/levels/u/{world.district_a.code}/")
    page.click("text=Hàm Rồng")
    page.select_option("#id_level", "3")
    page.click("button:has-text('Xác nhận thẩm định')")
    expect(page.locator(".msg.error, .errorlist").first).to_contain_text("lý do")
    page.select_option("#id_level", "3")
    page.fill("#id_reason", "Ổ dịch đã khoanh vùng, ca mắc trong khu cách ly")
    page.click("button:has-text('Xác nhận thẩm định')")
    expect(page.locator(".msg.success")).to_contain_text("Đã thẩm định")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Đông Thọ as proposed.
    page.goto(f"{live_server.url}/levels/unit/{world.commune_a2.code}/")
    page.click("button:has-text('Xác nhận thẩm định')")
    expect(page.locator(".msg.success")).to_contain_text("Đã thẩm định")
    a.refresh_from_db()
    assert (a.status, a.level, a.overridden) == ("reviewed", 3, True)

    # The committee member: the map shows the outline hollow (not published yet).
    _logout(page, live_server)
    login(staff.committee_member)
    page.goto(f"{live_server.url}/levels/map/")
    shape = page.locator(f"path[data-code='{world.commune_a.code}'][data-kind='shape']")
    expect(shape).to_have_attribute("data-level", "3")
    assert float(shape.get_attribute("fill-opacity")) < 0.5
    # The home figure leads to the list of what waits for publication.
    page.goto(f"{live_server.url}/home/")
    page.click("a.figure:has-text('cấp độ chờ công bố')")
    expect(page.locator("h1")).to_contain_text("2")
    page.click("text=Công bố tất cả cấp độ đã thẩm định")
    page.click("#publish-all button:has-text('Công bố 2 đơn vị')")
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text(
        "Công bố cấp độ dịch của 2 đơn vị đã thẩm định thuộc Tỉnh Thanh Hóa"
    )
    dialog.get_by_role("button", name="Đồng ý, thực hiện").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã công bố cấp độ dịch của 2 đơn vị")
    assert Assessment.objects.filter(status="published").count() == 2

    # The map changes: the outline is now filled with level 3's colour.
    page.goto(f"{live_server.url}/levels/map/")
    expect(shape).to_have_attribute("data-level", "3")
    assert float(shape.get_attribute("fill-opacity")) > 0.5
    assert shape.get_attribute("fill") == "#ef6c00"
    point = page.locator(f"path[data-code='{world.commune_a2.code}']")
    if point.count():  # a centroid from vietnamadminunits
        expect(point).to_have_attribute("data-kind", "point")

    # The briefing, with its levels section, as PDF.
    page.goto(f"{live_server.url}/reports/")
    page.click("form[action$='/reports/new/'] button")
    page.wait_for_url("**/reports/*/")
    with page.expect_download() as download:
        page.click("text=Tải PDF")
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
