"""In a browser at phone width: a commune health worker records two contacts from an F0's
page, puts one in quarantine from the contact's page, opens the quarantine record and
records today's check there; the chain of the F0 shows both contacts. And issue 13's
scenario to its end: the quarantined contact's test day becomes an order, the sample taken
against it tests positive in labtests, the cases services make her an F0 counted "in
quarantine", and the chain shows her as a case beside the other contact."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phongdich.cases.models import Case, DetectionSetting
from phongdich.cases.services import daily_figures
from phongdich.cases.tests.builders import make_case
from phongdich.labtests.models import Sample
from phongdich.quarantine import services as quarantine_services
from phongdich.quarantine.models import DailyCheck, FollowUpItem, Quarantine, Status
from phongdich.tracing.models import Contact, ContactStatus

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


def _quarantine_from_contact_page(page, name):
    page.locator("#contacts a", has_text=name).click()
    page.wait_for_url(re.compile(r".*/tracing/contacts/\d+/$"))
    form = page.locator("#quarantine-form")
    form.locator("input[name=start]").fill("10/01/2022")
    form.locator("select[name=place]").select_option("home")
    form.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã đưa người tiếp xúc vào cách ly")


def _order_today(quarantine) -> FollowUpItem:
    """Today is a test day of the record's schedule, and the hourly follow-up scan (the
    scheduler's job, run here as it would at 11:00) raises it as an order."""
    today = timezone.localdate()
    Quarantine.objects.filter(pk=quarantine.pk).update(
        test_dates=[today.isoformat()], last_check_at=timezone.now()
    )
    at = timezone.make_aware(datetime.combine(today, datetime.min.time()) + timedelta(hours=11))
    quarantine_services.scan_follow_up(now=at)
    return FollowUpItem.objects.get(quarantine=quarantine, kind=FollowUpItem.Kind.TEST_DUE)


@pytest.mark.django_db(transaction=True)
def test_a_contact_positive_in_quarantine_becomes_an_f0_and_the_chain_shows_both(
    live_server, login, world, staff
):
    source = make_case(world, staff.commune_worker_a, name="Nguyễn Văn Nguồn")
    page = login(staff.commune_worker_a)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/cases/{source.pk}/")
    page.locator("#tracing-card a").first.click()
    page.wait_for_url(re.compile(rf".*/tracing/cases/{source.pk}/$"))
    _add_contact(page, world, name="Lê Thị Một", phone="0913700001")
    _add_contact(page, world, name="Trần Văn Hai", phone="0913700002")
    expect(page.locator("#contacts tbody tr")).to_have_count(2)
    _quarantine_from_contact_page(page, "Lê Thị Một")
    quarantine = Quarantine.objects.get(person__full_name="Lê Thị Một")
    assert quarantine.status == Status.ACTIVE and quarantine.source_case_id == source.pk
    order = _order_today(quarantine)

    # The commune's test orders: the sample is taken against the order (labtests' register).
    page.goto(f"{live_server.url}/quarantine/")
    page.locator("#test-orders-link").click()
    page.wait_for_url(re.compile(r".*/quarantine/tests/$"))
    _fits(page)
    row = page.locator(f"#order-{order.pk}")
    expect(row).to_contain_text("Lê Thị Một")
    row.locator("input[name=barcode]").fill("HR-Q-0001")
    row.locator("select[name=kind]").select_option("rat")
    row.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã lấy mẫu HR-Q-0001")
    expect(page.locator(f"#order-{order.pk}")).to_have_count(0)
    sample = Sample.objects.get(barcode="HR-Q-0001")
    assert sample.person_id == quarantine.person_id

    # The result, positive, on the sample's page: labtests hands it to the cases services.
    page.goto(f"{live_server.url}/labtests/samples/{sample.pk}/")
    _fits(page)
    result = page.locator("#result-form")
    result.locator("select[name=result]").select_option("positive")
    result.locator("input[name=lab]").fill("CDC Thanh Hóa")
    result.locator("button[type=submit]").click()
    expect(page.locator(".msg.success")).to_contain_text("Đã ghi kết quả")

    case = Case.objects.get(person_id=quarantine.person_id)
    assert case.detection == DetectionSetting.QUARANTINE and case.is_f1
    quarantine.refresh_from_db()
    assert (quarantine.status, quarantine.converted_case_id) == (Status.CONVERTED, case.pk)
    contact = Contact.objects.get(person_id=quarantine.person_id, source_case=source)
    assert (contact.status, contact.became_case_id) == (ContactStatus.BECAME_CASE, case.pk)
    figures = daily_figures(unit=world.province, day=case.diagnosed_on)
    assert figures["new_quarantine_lockdown"] == 1  # hers, not a community case

    # The record says so, and the source's chain shows both contacts: one now a case.
    page.goto(f"{live_server.url}/quarantine/{quarantine.pk}/")
    expect(page.locator("body")).to_contain_text("Chuyển thành F0")
    page.goto(f"{live_server.url}/tracing/cases/{source.pk}/chain/")
    _fits(page)
    chain = page.locator("#chain-list")
    became = chain.locator("tr", has_text="Lê Thị Một")
    expect(became).to_contain_text("F0")
    expect(became.locator("a")).to_have_attribute("href", f"/cases/{case.pk}/")
    other = chain.locator("tr", has_text="Trần Văn Hai")
    expect(other.locator("td").nth(1)).to_have_text("F1")
    expect(page.locator("#chain-graph svg")).to_contain_text("Lê Thị Một")
    expect(page.locator("#chain-graph svg")).to_contain_text("Trần Văn Hai")
