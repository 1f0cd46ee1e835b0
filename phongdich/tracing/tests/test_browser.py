"""In a browser at phone width: a commune health worker records two contacts from an F0's
page, puts one in quarantine from the contact's page, opens the quarantine record and
records today's check there; the chain of the F0 shows both contacts."""

import re

import pytest
from playwright.sync_api import expect

from phongdich.cases.tests.builders import make_case
from phongdich.quarantine.models import DailyCheck, Quarantine

PHONE = {"width": 390, "height": 844}


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _add_contact(page, world, *, name, phone):
    form = page.locator("#contact-form")
    form.locator("input[name=full_name]").fill(name)
    form.locator("input[name=birth_year]").fill("1990")
    form.locator("input[name=phone]").fill(phone)
    form.locator("select[name=commune]").select_option(str(world.commune_a.pk))
    form.locator("input[name=exposure_date]").fill("10/01/2022")
    form.locator("select[name=setting]").select_option("household")
    form.locator("select[name=criterion]").select_option("physical")
    form.locator("button[type=submit]").last.click()
    expect(page.locator(".msg.success")).to_contain_text("Đã thêm người tiếp xúc")


@pytest.mark.django_db(transaction=True)
def test_a_contact_recorded_from_the_f0_page_is_quarantined_and_checked(
    live_server, login, world, staff
):
    case = make_case(world, staff.commune_worker_a, name="Nguyễn Văn Nguồn")
    page = login(staff.commune_worker_a)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator("#tracing-card a").first.click()
    page.wait_for_url(re.compile(rf".*/tracing/cases/{case.pk}/$"))
    _fits(page)
    _add_contact(page, world, name="Lê Thị Một", phone="0913700001")
    _add_contact(page, world, name="Trần Văn Hai", phone="0913700002")
    expect(page.locator("#contacts tbody tr")).to_have_count(2)

    page.locator("#contacts a", has_text="Lê Thị Một").click()
    page.wait_for_url(re.compile(r".*/tracing/contacts/\d+/$"))
    _fits(page)
    form = page.locator("#quarantine-form")
    form.locator("input[name=start]").fill("10/01/2022")
    form.locator("select[name=place]").select_option("home")
    form.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã đưa người tiếp xúc vào cách ly")
    expect(page.locator("#contact-status")).to_have_text("Đang cách ly")

    page.locator("#quarantine-link").click()
    page.wait_for_url(re.compile(r".*/quarantine/\d+/$"))
    _fits(page)
    quarantine = Quarantine.objects.get(person__full_name="Lê Thị Một")
    assert quarantine.basis == "f1" and quarantine.source_case_id == case.pk
    expect(page.locator("dl.facts")).to_contain_text(quarantine.policy_source)
    page.fill("input[name=temperature]", "37.4")
    page.locator("button[name=action][value=check]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi nhận theo dõi hôm nay")
    assert DailyCheck.objects.filter(quarantine=quarantine, by=staff.commune_worker_a).count() == 1

    page.goto(f"{live_server.url}/tracing/cases/{case.pk}/chain/")
    chain = page.locator("#chain-list")
    expect(chain).to_contain_text("Lê Thị Một")
    expect(chain).to_contain_text("Trần Văn Hai")
    expect(page.locator("svg").first).to_be_visible()
