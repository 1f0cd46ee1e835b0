"""Phone-width walk: a vaccination officer records two doses on a person and sees the
status change; a dose whose person is unsure waits in the queue until the officer picks them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.vaccination import services
from phongdich.vaccination.models import Dose, DoseReview

from . import builders

PHONE = {"width": 390, "height": 844}


def _fill_dose(page, *, product, number, day):
    page.select_option("#id_product", str(product.pk))
    page.fill("#id_dose_number", str(number))
    page.fill("#id_given_on", day.strftime("%d/%m/%Y"))
    page.select_option("#id_site_kind", "fixed")
    page.fill("#id_site_name", "Trạm y tế Hàm Rồng")
    page.fill("#id_lot", "FF1234")
    page.click("#dose-form button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_an_officer_records_doses_and_sees_the_status_change(
    live_server, page, login, world, staff
):
    services.policy_seed_if_empty()
    person = builders.person(world, staff, id_number="")
    pfizer = builders.product("pfizer")
    officer = builders.officer(world)
    today = timezone.localdate()
    page.set_viewport_size(PHONE)
    login(officer)

    page.goto(f"{live_server.url}/people/{person.pk}/")
    assert page.inner_text("#vaccination [data-status]") == "Chưa tiêm"
    page.click("#vaccination a[href$='/doses/new/']")
    _fill_dose(page, product=pfizer, number=1, day=today - timedelta(days=60))
    page.wait_for_url(f"{live_server.url}/vaccination/people/{person.pk}/")
    assert page.inner_text("#vaccination-status [data-status]") == "Chưa đủ liều cơ bản"

    page.click("a.button[href$='/doses/new/']")
    _fill_dose(page, product=pfizer, number=2, day=today - timedelta(days=30))
    page.wait_for_url(f"{live_server.url}/vaccination/people/{person.pk}/")
    assert page.inner_text("#vaccination-status [data-status]") == "Đã tiêm đủ liều cơ bản"
    assert page.locator("#doses tbody tr").count() == 2

    # A dose for someone typed with another phone: only a weak candidate, so it waits.
    page.goto(f"{live_server.url}/vaccination/doses/new/")
    page.fill("#id_full_name", "Lê Văn Tiêm")
    page.fill("#id_birth_year", "1980")
    page.fill("#id_phone", "0987 000 111")
    page.select_option("#id_commune", str(world.commune_a.pk))
    _fill_dose(page, product=pfizer, number=3, day=today - timedelta(days=1))
    page.wait_for_selector("#candidates")
    assert Dose.objects.count() == 2 and DoseReview.objects.count() == 1
    page.click("#candidates button")
    page.wait_for_url(f"{live_server.url}/vaccination/people/{person.pk}/")
    assert page.inner_text("#vaccination-status [data-status]") == "Đã tiêm nhắc lại"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_a_commune_worker_lists_unvaccinated_people_records_an_outcome_and_exports(
    live_server, page, login, world, staff
):
    from phongdich.vaccination.models import OutreachOutcome

    services.policy_seed_if_empty()
    today = timezone.localdate()
    adult = builders.person(
        world, staff, full_name="Ông Chưa Tiêm", birth_year=1960, phone="0911000001", id_number=""
    )
    builders.person(
        world,
        staff,
        full_name="Em Mười Bốn",
        birth_year=today.year - 14,
        phone="0911000002",
        id_number="",
    )
    done = builders.person(
        world, staff, full_name="Anh Đủ Mũi", birth_year=1990, phone="0911000003", id_number=""
    )
    for n, days in ((1, 60), (2, 30)):
        services.dose_record_for_person(
            by=staff.commune_worker_a,
            person=done,
            dose=builders.dose(n=n, day=today - timedelta(days=days)),
        )
    page.set_viewport_size(PHONE)
    login(staff.commune_worker_a)
    page.goto(f"{live_server.url}/vaccination/outreach/")
    page.select_option("#id_commune", str(world.commune_a.pk))
    page.fill("#id_min_age", "15")
    page.select_option("#id_need", "unvaccinated")
    page.click("#outreach-filters button[type=submit]")
    page.wait_for_selector("#outreach")
    rows = page.locator("#outreach tbody tr")
    assert rows.count() == 1 and "Ông Chưa Tiêm" in rows.first.inner_text()
    form = rows.first.locator("form.outcome-form")
    form.locator("select[name=kind]").select_option("refused")
    form.locator("input[name=reason]").fill("Sợ tác dụng phụ")
    form.locator("button").click()
    page.wait_for_selector("text=Đã ghi kết quả vận động")
    assert OutreachOutcome.objects.get(person=adult).reason == "Sợ tác dụng phụ"
    assert "Từ chối tiêm: Sợ tác dụng phụ" in page.inner_text("#outreach")
    assert "2/2" in page.inner_text("#not-missed")
    with page.expect_download() as download:
        page.click("#outreach-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_a_vaccinees_certificate_verifies_at_the_public_url(live_server, page, world, staff):
    """A verifier (anonymous, on a phone) opens the URL the certificate's QR code carries."""
    from django.urls import reverse

    from phongdich.vaccination import certificates

    services.policy_seed_if_empty()
    person = builders.person(world, staff, full_name="Trần Thị Hoa")
    today = timezone.localdate()
    for n, ago in ((1, 90), (2, 60)):
        services.dose_record_for_person(
            by=staff.commune_worker_a,
            person=person,
            dose=builders.dose(n=n, day=today - timedelta(days=ago)),
        )
    cert = certificates.certificate_issue(by=builders.officer(world), person=person)
    token = certificates.verify_token(cert)
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + reverse("vaccination:certificate_verify", args=[token]))
    assert page.get_attribute("#verify-result h1", "data-valid") == "yes"
    assert "hợp lệ" in page.inner_text("#verify-result h1")
    assert "T. T. Hoa" in page.inner_text("#verify-result")
    assert "Trần Thị Hoa" not in page.content()

    page.goto(live_server.url + reverse("vaccination:certificate_verify", args=[token + "x"]))
    assert page.get_attribute("#verify-result h1", "data-valid") == "no"


@pytest.mark.django_db(transaction=True)
def test_a_campaign_walk_and_the_printed_outreach_list_at_phone_width(
    live_server, page, login, world, staff, tmp_path
):
    """A province health officer opens a campaign on a phone, sees the per-unit chart, sets
    the targets from a file; a commune worker prints the "không bỏ sót" list."""
    from datetime import date

    from phongdich.vaccination import campaigns

    services.policy_seed_if_empty()
    officer = staff.province_health_officer
    campaign = campaigns.campaign_create(
        by=officer, name="Chiến dịch mùa xuân", start=date(2022, 2, 21), deadline=date(2022, 2, 28)
    )
    campaigns.campaign_target_set(
        by=officer, campaign=campaign, unit=world.commune_a, target=5, official_name="Ông A"
    )
    campaigns.campaign_refresh(campaign=campaign, today=date(2022, 2, 22))
    page.set_viewport_size(PHONE)
    login(officer)
    page.goto(f"{live_server.url}/vaccination/campaigns/{campaign.pk}/")
    assert page.locator(".campaign-unit-chart svg rect").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#target-import")
    targets = tmp_path / "chi-tieu.csv"
    targets.write_text(
        "Mã đơn vị,Chỉ tiêu,Người chịu trách nhiệm,Chức vụ\n"
        f"{world.commune_a.code},8,Ông A,Chủ tịch UBND\n"
        f"{world.commune_b.code},6,Bà B,Chủ tịch UBND\n"
        "00000,1,Không Ai,\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(targets))
    page.check("input[name=mode][value=keep_good]")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#import-report")
    assert "2" in page.inner_text("#import-report .msg")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("h1 a")
    assert page.locator(".campaign-unit-chart svg rect").count() == 2
    assert "Bà B" in page.inner_text(".campaign-units")

    builders.person(
        world, staff, full_name="Ông Chưa Tiêm", birth_year=1960, phone="0911000001", id_number=""
    )
    page.context.clear_cookies()
    login(staff.commune_worker_a)
    page.goto(f"{live_server.url}/vaccination/outreach/?commune={world.commune_a.pk}&min_age=15")
    assert "Ông Chưa Tiêm" in page.inner_text("body")
    href = page.get_attribute("#outreach-print", "href")
    printed = page.request.get(f"{live_server.url}{href}")
    assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
