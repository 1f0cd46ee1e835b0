"""Simultaneous registrations of one F0 and simultaneous posts of one lab sample make one
record each (real threads on PostgreSQL, released together; in turn on SQLite)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.cases import rules, services
from phongdich.cases.models import Case
from phongdich.cases.tests.builders import make_case
from phongdich.labtests.models import Sample
from phongdich.people.models import Person
from phongdich.testing import losers, make_staff, make_world, race, winners


def _evidence():
    return [rules.LabEvidence("pcr", True, timezone.now() - timedelta(hours=2))]


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_f0_registrations_make_one_person_and_one_case():
    world = make_world()
    staff = make_staff(world)
    workers = [
        staff.commune_worker_a,
        staff.care_team_a,
        staff.province_admin,
        staff.commune_worker_a,
    ]

    def register(i):
        return services.case_register(
            by=workers[i],
            person_data=services.PersonData(
                full_name="Nguyễn Thị Đồng Thời", birth_year=1988, phone="0988777666"
            ),
            commune=world.commune_a,
            evidence=_evidence(),
        )

    outcomes = race([lambda i=i: register(i) for i in range(4)])
    assert not losers(outcomes), losers(outcomes)
    outcomes = winners(outcomes)
    assert Person.objects.count() == 1
    assert Case.objects.count() == 1
    assert sorted(created for _case, created in outcomes) == [False, False, False, True]
    assert {case.pk for case, _created in outcomes} == {Case.objects.get().pk}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_cases_for_one_known_person_make_one_open_case():
    world = make_world()
    staff = make_staff(world)
    person, _ = services.PersonData(full_name="Trần Văn Một", birth_year=1970).register(
        by=staff.commune_worker_a, commune=world.commune_a
    )

    def register(i):
        return services.case_register(
            by=staff.commune_worker_a,
            person=Person.objects.get(pk=person.pk),
            commune=world.commune_a,
            evidence=_evidence(),
        )

    outcomes = race([lambda i=i: register(i) for i in range(4)])
    assert not losers(outcomes), losers(outcomes)
    outcomes = winners(outcomes)
    assert Case.objects.filter(person=person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_five_lab_posts_of_one_sample_record_it_once_and_register_one_person():
    world = make_world()
    staff = make_staff(world)

    def post(i):
        return services.lab_result_record(
            by=staff.province_health_officer,
            lab="CDC Thanh Hóa",
            sample_id="TH-RACE-1",
            kind="pcr",
            positive=True,
            taken_at=timezone.now() - timedelta(hours=1),
            person_data=services.PersonData(
                full_name="Lê Văn Mẫu", birth_year=1995, phone="0988111000"
            ),
            commune=world.commune_a,
        )

    outcomes = race([lambda i=i: post(i) for i in range(5)])
    assert not losers(outcomes), losers(outcomes)
    outcomes = winners(outcomes)
    assert Sample.objects.count() == 1
    assert Person.objects.count() == 1
    assert Case.objects.count() == 1
    assert sorted(created for _result, created in outcomes) == [False] * 4 + [True]


@pytest.mark.django_db(transaction=True)
def test_one_link_send_tapped_four_times_at_once_sends_once():
    from phongdich.cases.models import CaseLinkSend
    from phongdich.hotline import gateways
    from phongdich.lib.idempotency import Submission

    world = make_world()
    staff = make_staff(world)
    case = make_case(world, staff.commune_worker_a)
    gateways.console_outbox.clear()

    def send():
        return services.case_link_send(
            by=staff.commune_worker_a,
            case=case,
            url="https://covid.example.gov.vn/cases/c/abc/",
            channel="sms",
            submission=Submission(key=f"{staff.commune_worker_a.pk}:send-1", fingerprint="f"),
        )

    outcomes = race([send] * 4)
    assert not losers(outcomes), losers(outcomes)
    assert CaseLinkSend.objects.count() == 1
    assert len(gateways.console_outbox) == 1
