"""In Chromium: the place picker with two communes of the same name.

Thanh Hóa has two "Phường Bắc Sơn" (Thị xã Bỉm Sơn and Thành phố Sầm Sơn). The hotline
agent finds the one in Sầm Sơn with the keyboard only (Tab, type without diacritics, arrow,
Enter) and the ticket is saved with that commune, not its namesake; the district select
narrows the commune list; a citizen on a phone finds the same choice on the public form."""

import pytest
from playwright.sync_api import expect

from phongdich.hotline.models import Category, ResponsibleUnit, RoutingRule, Ticket
from phongdich.testing import _unit


def _seed_policy():
    # transaction=True tests start from an empty database: re-seed the migration's rows.
    from importlib import import_module

    from django.apps import apps

    import_module("phongdich.hotline.migrations.0002_seed_policy").seed(apps, None)


SAM_SON_WARDS = [
    "Phường Trung Sơn",
    "Phường Trường Sơn",
    "Phường Quảng Cư",
    "Phường Quảng Tiến",
    "Xã Quảng Hùng",
    "Phường Quảng Châu",
    "Phường Quảng Thọ",
    "Phường Quảng Vinh",
    "Xã Quảng Minh",
    "Xã Quảng Đại",
]
COMMUNES = 3 + 1 + len(SAM_SON_WARDS)  # the world's three, the twin, Sầm Sơn's others


@pytest.fixture
def twin(world):
    """The second Phường Bắc Sơn, with the rest of Sầm Sơn: a list long enough (over a
    dozen) for the search box and the district select to appear."""
    sam_son = _unit("382", "Thành phố Sầm Sơn", "district", world.province)
    twin = _unit("14833", "Phường Bắc Sơn", "commune", sam_son)
    for i, name in enumerate(SAM_SON_WARDS):
        _unit(f"1484{i}", name, "commune", sam_son)
    return twin


@pytest.mark.django_db(transaction=True)
def test_the_agent_picks_the_right_bac_son_by_keyboard(
    live_server, page, login, world, staff, twin
):
    if not Category.objects.exists():
        _seed_policy()
    desk = ResponsibleUnit.objects.create(
        name="Tổng đài tỉnh", kind="other", admin_unit=world.province
    )
    RoutingRule.objects.create(category=None, admin_unit=world.province, unit=desk)

    login(staff.hotline_agent)
    page.goto(f"{live_server.url}/hotline/call/")
    page.fill("#id_text", "Gia đình ở phường Bắc Sơn hỏi lịch tiêm mũi 3")
    page.focus("#id_text")
    page.keyboard.press("Tab")  # the next stop is the place search box
    expect(page.locator("#id_commune-search")).to_be_focused()
    page.keyboard.type("bac son")
    matches = page.locator("#id_commune-matches [role=option]")
    expect(matches).to_have_text(
        ["Phường Bắc Sơn, Thị xã Bỉm Sơn", "Phường Bắc Sơn, Thành phố Sầm Sơn"]
    )
    page.keyboard.press("ArrowDown")
    expect(matches.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # picks; does not send the half-filled form
    expect(page.locator("#id_commune")).to_have_value(str(twin.pk))
    expect(page.locator("#id_commune-district option:checked")).to_have_text("Thành phố Sầm Sơn")
    expect(page.locator("#id_commune option:checked")).to_have_text(
        "Phường Bắc Sơn, Thành phố Sầm Sơn"
    )
    assert not Ticket.objects.exists()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#ticket-unit")).to_have_text("Tổng đài tỉnh")
    assert Ticket.objects.get().commune == twin


@pytest.mark.django_db(transaction=True)
def test_the_district_select_narrows_the_communes(live_server, page, login, world, staff, twin):
    if not Category.objects.exists():
        _seed_policy()
    login(staff.hotline_agent)
    page.goto(f"{live_server.url}/hotline/call/")
    commune_options = page.locator("#id_commune option:not([value=''])")
    expect(commune_options).to_have_count(COMMUNES)
    page.select_option("#id_commune-district", label="Thị xã Bỉm Sơn")
    expect(commune_options).to_have_text(["Phường Bắc Sơn, Thị xã Bỉm Sơn"])
    page.select_option("#id_commune", label="Phường Bắc Sơn, Thị xã Bỉm Sơn")
    expect(page.locator("#id_commune")).to_have_value(str(world.commune_b.pk))
    # Back to every district: the choice made stays.
    page.select_option("#id_commune-district", index=0)
    expect(commune_options).to_have_count(COMMUNES)
    expect(page.locator("#id_commune")).to_have_value(str(world.commune_b.pk))


@pytest.mark.django_db(transaction=True)
def test_a_citizen_on_a_phone_finds_the_commune_with_its_district(live_server, page, world, twin):
    if not Category.objects.exists():
        _seed_policy()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/hotline/hoi/")
    page.fill("#id_commune-search", "bắc sơn sầm")  # name and district words together
    expect(page.locator("#id_commune-matches [role=option]")).to_have_text(
        ["Phường Bắc Sơn, Thành phố Sầm Sơn"]
    )
    page.locator("#id_commune-matches [role=option]").first.click()
    expect(page.locator("#id_commune")).to_have_value(str(twin.pk))
    box = page.locator(".place-picker").bounding_box()
    assert box["x"] + box["width"] <= 390
    page.screenshot(path="/tmp/h2-picker-phone.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_commune_worker_finds_their_commune_already_chosen(
    live_server, page, login, world, staff
):
    """F0 registration by a commune station: the commune is theirs, set, with no empty line."""
    login(staff.commune_worker_a)
    page.goto(f"{live_server.url}/cases/new/")
    expect(page.locator("#id_commune option")).to_have_text(
        ["Phường Hàm Rồng, Thành phố Thanh Hóa"]
    )
    expect(page.locator("#id_commune")).to_have_value(str(world.commune_a.pk))
    expect(page.locator("#id_commune-search")).to_have_count(0)
