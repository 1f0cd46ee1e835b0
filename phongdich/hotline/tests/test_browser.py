"""In a real browser: an agent records a call from an F0's phone, the ticket reaches the F0's
commune unit, a commune health worker replies, and the citizen's link shows the reply (and
never the internal note)."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from phongdich.hotline.models import Category, ResponsibleUnit, RoutingRule, SlaPolicy
from phongdich.people.services import person_register


def _seed_policy():
    # transaction=True tests start from an empty database: re-seed the migration's rows.
    from importlib import import_module

    from django.apps import apps

    seed = import_module("phongdich.hotline.migrations.0002_seed_policy").seed
    seed(apps, None)


@pytest.mark.django_db(transaction=True)
def test_an_f0_call_reaches_the_commune_and_the_citizen_sees_the_reply(
    live_server, page, login, world, staff
):
    if not Category.objects.exists():
        _seed_policy()
    assert SlaPolicy.objects.count() == 4
    person, _ = person_register(
        by=staff.province_admin,
        full_name="Trần Thị Hoa",
        birth_year=1990,
        phone="0912345678",
        commune=world.commune_a,
    )
    station = ResponsibleUnit.objects.create(
        name="Trạm y tế Hàm Rồng", kind="health_station", admin_unit=world.commune_a
    )
    desk = ResponsibleUnit.objects.create(
        name="Tổng đài tỉnh", kind="other", admin_unit=world.province
    )
    RoutingRule.objects.create(category=None, admin_unit=world.province, unit=desk)
    RoutingRule.objects.create(category=None, admin_unit=world.commune_a, unit=station)

    page.set_viewport_size({"width": 390, "height": 844})
    login(staff.hotline_agent)
    page.goto(f"{live_server.url}/hotline/call/")
    page.fill("#id_caller_phone", "0912 345 678")
    expect(page.locator("#caller")).to_contain_text("Trần Thị Hoa")
    page.select_option("#id_category", label="3 · Tư vấn điều trị F0 tại nhà")
    page.fill("#id_text", "Chị Hoa hỏi khi nào được xét nghiệm lại, ho nhẹ, không khó thở")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#ticket-unit")).to_have_text("Trạm y tế Hàm Rồng")
    link = page.input_value("#citizen-link-url")
    assert re.search(r"/hotline/l/[\w-]{40,}/$", link)
    page.click("text=Đăng xuất")

    login(staff.commune_worker_a)
    page.goto(f"{live_server.url}/hotline/")
    page.locator("#queue a", has_text=re.compile(r"^\d+$")).first.click()
    page.fill("#id_body", "Nội bộ: đã gọi, theo dõi thêm")
    page.check("#id_internal")
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#thread")).to_contain_text("Nội bộ: đã gọi")
    page.fill("#id_body", "Chào chị Hoa, ngày thứ 7 trạm sẽ đến test nhanh tại nhà.")
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("Chờ người dân")
    page.click("text=Đăng xuất")

    # Without SITE_URL (development) the link follows the server's own host and port.
    assert link.startswith(live_server.url + "/hotline/l/")
    page.goto(live_server.url + urlparse(link).path)
    expect(page.locator("#thread")).to_contain_text("ngày thứ 7 trạm sẽ đến test nhanh")
    expect(page.locator("#thread")).not_to_contain_text("Nội bộ")
    page.fill("#id_body", "Cảm ơn trạm")
    page.click("form.card button[type=submit]")
    expect(page.locator("#thread")).to_contain_text("Cảm ơn trạm")
