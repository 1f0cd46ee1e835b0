"""Two lab officers at once record one result; teams filling a pool never overfill it
(threads on PostgreSQL; on SQLite the calls run one after another)."""

import pytest
from django.core.exceptions import ValidationError

from phongdich.cases.models import Case
from phongdich.labtests import services
from phongdich.labtests.models import PoolSizeRule, ResampleOrder, Sample
from phongdich.testing import losers, make_staff, make_world, race

from . import builders


@pytest.mark.django_db(transaction=True)
def test_four_officers_recording_one_positive_result_record_it_once():
    world = make_world()
    staff = make_staff(world)
    sample = builders.sample(world, staff)

    def record():
        return services.sample_result_record(
            by=staff.commune_worker_a, sample=sample, result="positive", lab="CDC", ct_value=20
        )

    outcomes = race([record] * 4)
    assert not losers(outcomes), losers(outcomes)
    assert sorted(created for _status, (_sample, created) in outcomes) == [
        False,
        False,
        False,
        True,
    ]
    assert Case.objects.filter(person=sample.person).count() == 1
    # The sample is the F0 app's record too: linked to the case, no second row.
    assert Sample.objects.get(pk=sample.pk).case == Case.objects.get(person=sample.person)
    assert Sample.objects.filter(person=sample.person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_different_results_at_once_one_wins_the_other_is_refused():
    world = make_world()
    staff = make_staff(world)
    sample = builders.sample(world, staff)
    outcomes = race(
        [
            lambda result=result: services.sample_result_record(
                by=staff.commune_worker_a, sample=sample, result=result, lab="CDC"
            )
            for result in ("negative", "positive")
        ]
    )
    assert len(losers(outcomes)) == 1
    assert isinstance(losers(outcomes)[0], ValidationError)
    assert Sample.objects.get(pk=sample.pk).result in ("negative", "positive")


@pytest.mark.django_db(transaction=True)
def test_a_pool_result_posted_four_times_at_once_orders_each_member_once():
    world = make_world()
    staff = make_staff(world)
    pool = builders.pool(world, staff, members=3)
    outcomes = race(
        [
            lambda: services.pool_result_record(
                by=staff.commune_worker_a, pool=pool, result="positive", lab="CDC"
            )
        ]
        * 4
    )
    assert not losers(outcomes), losers(outcomes)
    assert ResampleOrder.objects.filter(pool=pool).count() == 3


@pytest.mark.django_db(transaction=True)
def test_four_teams_adding_to_a_pool_with_two_places_add_two():
    world = make_world()
    staff = make_staff(world)
    PoolSizeRule.objects.create(kind="pcr", max_size=2)
    pool = builders.pool(world, staff)
    people = [builders.person(world, staff) for _ in range(4)]
    outcomes = race(
        [
            lambda person=person, n=n: builders.sample(
                world, staff, pool=pool, person=person, barcode=f"C-{n}"
            )
            for n, person in enumerate(people)
        ]
    )
    assert len(losers(outcomes)) == 2
    assert pool.members.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_officers_closing_one_round_at_once_close_it_once():
    from phongdich.labtests import rounds
    from phongdich.labtests.models import RoundFigures

    world = make_world()
    staff = make_staff(world)
    rnd = builders.screening_round(world, staff)
    outcomes = race([lambda: rounds.round_close(by=staff.province_health_officer, round=rnd)] * 2)
    lost = losers(outcomes)
    assert len(lost) == 1 and "đã được kết thúc trước đó" in lost[0].messages[0]
    assert RoundFigures.objects.filter(round=rnd).count() == 2  # once per commune


@pytest.mark.django_db(transaction=True)
def test_two_officers_adding_a_round_at_once_get_two_numbers():
    world = make_world()
    staff = make_staff(world)
    camp = builders.campaign(world, staff, rounds=5)
    outcomes = race([lambda: builders.screening_round(world, staff, camp)] * 2)
    assert not losers(outcomes)
    assert sorted(r.number for r in camp.round_set.all()) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_two_identical_api_posts_at_once_record_each_result_once():
    from django.test import Client

    from phongdich.accounts.services import api_token_create

    world = make_world()
    staff = make_staff(world)
    for code in ("API-1", "API-2"):
        builders.sample(world, staff, barcode=code)
    _token, raw = api_token_create(by=staff.province_health_officer, name="CDC lab")
    body = {
        "lab": "CDC Thanh Hóa",
        "results": [
            {"sample_id": "API-1", "result": "positive", "ct": 20},
            {"sample_id": "API-2", "result": "negative"},
        ],
    }

    def post():
        response = Client().post(
            "/api/labtests/results",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code == 200, response.content
        return response.json()

    outcomes = race([post, post])
    assert not losers(outcomes), losers(outcomes)
    answers = [answer for _status, answer in outcomes]
    assert (
        sorted(a["recorded"] for a in answers) == [0, 2] or sum(a["recorded"] for a in answers) == 2
    )
    assert sum(a["unchanged"] for a in answers) == 2 and not any(a["refused"] for a in answers)
    person = Sample.objects.get(barcode="API-1").person
    assert Case.objects.filter(person=person).count() == 1
    assert Sample.objects.filter(person=person).count() == 1
    assert Sample.objects.get(barcode="API-1").case == Case.objects.get(person=person)
