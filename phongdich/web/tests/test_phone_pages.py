"""At phone width (390 px): the login page leads citizens to what needs no account, and the
/stats/ table's cards keep each figure's label."""

import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
CITIZEN_LINKS = {
    "Khai báo y tế khi đến, về tỉnh": "/checkpoints/declare/",
    "Tự khai báo F0 (test nhanh dương tính)": "/cases/tu-khai-bao/",
    "Gửi câu hỏi, đề nghị tới Tổng đài 1022": "/hotline/hoi/",
    "Bản tin tình hình dịch": "/cases/ban-tin/",
}


def test_the_login_page_links_citizens_to_what_needs_no_account(client, db):
    page = client.get("/login/").content.decode()
    for label, url in CITIZEN_LINKS.items():
        assert f'<a href="{url}">{label}</a>' in page
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db(transaction=True)
def test_the_citizen_links_are_visible_and_tappable_on_a_phone(live_server, page):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/login/")
    for label in CITIZEN_LINKS:
        link = page.get_by_role("link", name=label)
        expect(link).to_be_visible()
        assert link.bounding_box()["height"] >= 40, label


@pytest.mark.django_db(transaction=True)
def test_the_stats_cards_show_their_labels_on_a_phone(live_server, page, login, staff):
    page.set_viewport_size(PHONE)
    login(staff.province_health_officer)
    page.goto(f"{live_server.url}/stats/")
    cells = page.locator("table.responsive tbody tr:first-child td")
    expect(cells.first).to_be_visible()
    labels = cells.evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
    assert len(labels) > 3
    missing = [i for i, content in enumerate(labels) if content in ("none", "normal", '""')]
    assert not missing, labels
