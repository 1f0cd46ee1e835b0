"""Phone-width walk of the AEFI link: a vaccinee opens the personal link on a phone,
reports a serious event, and the district's health officer finds it on the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.vaccination import aefi, services
from phongdich.vaccination.models import Aefi

from . import builders

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_a_vaccinee_reports_from_a_phone_and_the_district_sees_it(
    live_server, page, login, world, staff
):
    services.policy_seed_if_empty()
    person = builders.person(world, staff)
    given = timezone.localdate() - timedelta(days=2)
    services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose(day=given)
    )
    _link, raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=person)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/vaccination/phan-ung/{raw}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#id_onset_at", (given + timedelta(days=1)).strftime("%d/%m/%Y") + " 08:15")
    page.fill("#id_description", "Khó thở, nổi mẩn toàn thân")
    page.select_option("#id_outcome", "recovering")
    page.check("#id_hospitalised")
    page.fill("#id_reporter_name", "Lê Thị Nhà")
    page.fill("#id_reporter_phone", "0912 111 222")
    page.click("#aefi-public-form button[type=submit]")
    page.wait_for_selector("#aefi-thanks")
    item = Aefi.objects.get()
    assert item.serious and item.district == world.district_a

    login(staff.district_health_officer_a)
    page.goto(f"{live_server.url}/vaccination/aefi/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click(f"#aefi-queue a[href='/vaccination/aefi/{item.pk}/']")
    page.wait_for_selector("#aefi-status")
    page.select_option("#id_status", "investigating")
    page.click("#aefi-status button[type=submit]")
    page.wait_for_selector("[data-status='investigating']")
