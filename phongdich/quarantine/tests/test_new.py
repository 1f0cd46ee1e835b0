"""Staff open a quarantine from scratch: the person through the registry's matching, the
plan of the dated policy row shown with its source, a shortened or extended end with its
reason; bad input is a page, never a 500; two officers at once make one record."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from phongdich.audit.models import AuditEvent
from phongdich.people.models import Person
from phongdich.quarantine.models import Quarantine, Status
from phongdich.testing import losers, make_staff, make_world, race

from . import builders

pytestmark = pytest.mark.django_db
URL = "/quarantine/new/"


def _form(world, **values):
    return {
        "full_name": "Đặng Văn Mới",
        "birth_year": "1984",
        "phone": "0913555000",
        "commune": str(world.commune_a.pk),
        "address": "5 Trần Phú",
        "basis": "f1",
        "exposure_date": builders.IN_10696.strftime("%d/%m/%Y"),
        "start": builders.IN_10696.strftime("%d/%m/%Y"),
        "doses": "2",
        "place": "home",
        **values,
    }


def test_the_preview_shows_the_rows_source_and_writes_nothing(client, world, staff):
    client.force_login(staff.commune_worker_a)
    assert client.get(URL).status_code == 200
    page = client.post(URL, {**_form(world), "action": "preview"}).content.decode()
    assert 'id="plan"' in page and "10696" in page
    assert "16/01/2022" in page  # 7 days from 10/01/2022, 2 doses (10696/BYT-MT)
    assert not Quarantine.objects.exists() and not Person.objects.filter(phone="+84913555000")


def test_opening_registers_the_person_and_applies_the_row(client, world, staff):
    client.force_login(staff.commune_worker_a)
    response = client.post(URL, {**_form(world), "action": "open"})
    quarantine = Quarantine.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "quarantine:detail", args=[quarantine.pk]
    )
    assert quarantine.person.phone == "+84913555000" and quarantine.status == Status.ACTIVE
    assert (quarantine.start_date, quarantine.planned_end) == (
        builders.IN_10696,
        date(2022, 1, 16),
    )
    assert "10696" in quarantine.policy_source and quarantine.address == "5 Trần Phú"
    assert AuditEvent.objects.filter(action="quarantine.open").count() == 1
    # the same person again: the open record, not a second one
    again = client.post(URL, {**_form(world), "action": "open"})
    assert again.url == response.url and Quarantine.objects.count() == 1


def test_a_changed_end_needs_its_reason_and_is_kept_with_it(client, world, staff):
    client.force_login(staff.commune_worker_a)
    longer = {"planned_end": "20/01/2022", "action": "open"}
    page = client.post(URL, {**_form(world), **longer})
    assert page.status_code == 200 and not Quarantine.objects.exists()
    assert not Person.objects.filter(phone="+84913555000").exists()
    client.post(URL, {**_form(world), **longer, "reason": "Nhà có người già, kéo dài"})
    quarantine = Quarantine.objects.get()
    assert quarantine.planned_end == date(2022, 1, 20)
    change = AuditEvent.objects.get(action="quarantine.change_end")
    assert change.changes["before"] == "2022-01-16" and "kéo dài" in change.changes["reason"]


def test_a_weak_match_is_shown_to_pick_and_the_pick_is_used(client, world, staff):
    known = builders.person(world, staff, full_name="Người Khác Tên", phone="0913555000")
    client.force_login(staff.commune_worker_a)
    page = client.post(URL, {**_form(world), "action": "open"}).content.decode()
    assert 'id="candidates"' in page and "Người Khác Tên" in page
    assert not Quarantine.objects.exists()
    client.post(URL, {**_form(world), "action": "open", "chosen_person": str(known.pk)})
    assert Quarantine.objects.get().person_id == known.pk
    assert Person.objects.filter(phone="+84913555000").count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"start": "31/02/2022"},
        {"exposure_date": (builders.IN_10696 + timedelta(days=3)).strftime("%d/%m/%Y")},
        {"place": "site"},  # no site chosen
        {"full_name": "x" * 500},
        {"chosen_person": "9" * 30},
        {"exposure_date": "01/01/2019", "start": "01/01/2019"},  # no row in force then
        {"commune": str(10**12)},
    ],
)
def test_bad_input_is_a_page_and_writes_nothing(client, world, staff, bad):
    client.force_login(staff.commune_worker_a)
    response = client.post(URL, {**_form(world), **bad, "action": "open"})
    assert response.status_code in (200, 404)
    assert not Quarantine.objects.exists()


def test_only_writers_may_open_and_only_in_their_area(client, world, staff):
    client.force_login(staff.hotline_agent)
    assert client.get(URL).status_code == 403
    client.force_login(staff.care_team_a)
    assert client.get(URL).status_code == 403
    client.force_login(staff.commune_worker_b)
    client.post(URL, {**_form(world), "action": "open"})  # commune A is not a choice for B
    assert not Quarantine.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_officers_opening_at_once_make_one_person_and_one_quarantine():
    from phongdich.quarantine import services

    world = make_world()
    staff = make_staff(world)

    def open_one():
        return services.quarantine_open_staff(
            by=staff.commune_worker_a,
            person_data={
                "full_name": "Đặng Văn Mới",
                "birth_year": 1984,
                "phone": "0913555000",
                "commune": world.commune_a,
            },
            basis="f1",
            start=builders.IN_10696,
            commune=world.commune_a,
            doses=2,
        )

    outcomes = race([open_one] * 3)
    assert not losers(outcomes), losers(outcomes)
    assert Person.objects.filter(phone="+84913555000").count() == 1
    assert Quarantine.objects.count() == 1
    assert sorted(created for _kind, (_q, created) in outcomes) == [False, False, True]
