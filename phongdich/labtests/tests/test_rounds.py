"""Rounds of a screening campaign: numbering and bounds, figures per commune (sampled,
people, households, positives, coverage), closing once, and the negative-round rule the zones
read."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from phongdich.audit.models import AuditEvent
from phongdich.labtests import rounds, rules, services
from phongdich.labtests.models import RoundFigures, ScreeningRound

from . import builders


@pytest.mark.parametrize(
    ("sampled", "resulted", "positives", "negative"),
    [
        (0, 0, 0, False),  # nobody sampled there: proves nothing
        (10, 9, 0, False),  # a result still missing
        (10, 10, 0, True),
        (10, 10, 1, False),
        (1, 1, 0, True),
    ],
)
def test_a_round_is_negative_only_when_every_sample_is_in_and_none_positive(
    sampled, resulted, positives, negative
):
    assert rules.round_negative(sampled=sampled, resulted=resulted, positives=positives) is negative


@pytest.mark.parametrize(("done", "target", "share"), [(0, 0, None), (5, 10, 0.5), (12, 10, 1.2)])
def test_coverage(done, target, share):
    assert rules.coverage(done, target) == share


def test_rounds_are_numbered_within_the_campaign_and_its_bounds(world, staff):
    camp = builders.campaign(world, staff, rounds=2)
    first = builders.screening_round(world, staff, camp)
    second = builders.screening_round(world, staff, camp, units=[world.commune_a])
    assert (first.number, second.number) == (1, 2)
    assert list(second.units.all()) == [world.commune_a]
    assert set(first.units.all()) == {world.commune_a, world.commune_b}
    with pytest.raises(ValidationError, match="đủ số vòng"):
        builders.screening_round(world, staff, camp)
    other = builders.campaign(world, staff, units=[world.commune_a])
    with pytest.raises(ValidationError):
        builders.screening_round(world, staff, other, units=[world.commune_b])
    with pytest.raises(ValidationError):
        builders.screening_round(world, staff, other, starts_on=other.starts_on - timedelta(days=1))
    with pytest.raises(ValidationError):
        builders.screening_round(world, staff, other, ends_on=other.ends_on + timedelta(days=1))


def test_a_commune_worker_cannot_open_a_round_of_a_province_campaign(world, staff):
    from django.core.exceptions import PermissionDenied

    camp = builders.campaign(world, staff)
    with pytest.raises(PermissionDenied):
        rounds.round_create(
            by=staff.commune_worker_a,
            campaign=camp,
            starts_on=camp.starts_on,
            ends_on=camp.starts_on,
        )


def _take(world, staff, point, code, person, result=None, **extra):
    sample = services.sample_take(
        by=staff.commune_worker_a,
        person=person,
        barcode=code,
        kind="pcr",
        reason=extra.pop("reason", "screening"),
        commune=point.commune,
        point=point,
        **extra,
    )
    if result:
        services.sample_result_record(
            by=staff.commune_worker_a, sample=sample, result=result, lab="CDC"
        )
    return sample


def test_figures_per_commune_count_people_households_and_positives(world, staff):
    rnd = builders.screening_round(world, staff, target_people=40, target_households=20)
    point = builders.point(world, staff, rnd, team="Tổ 2")
    same_house = [
        builders.person(world, staff, address="12 Lê Lợi"),
        builders.person(world, staff, address="12 Lê Lợi"),
    ]
    other_house = builders.person(world, staff, address="3 Trần Phú")
    no_address = builders.person(world, staff)
    s1 = _take(world, staff, point, "R-1", same_house[0], "negative")
    _take(world, staff, point, "R-2", same_house[1], "negative")
    _take(world, staff, point, "R-3", other_house, "positive")
    _take(world, staff, point, "R-4", no_address)
    _take(world, staff, point, "R-5", same_house[0])  # the same person twice
    assert (s1.campaign_id, s1.round_id, s1.place, s1.team) == (
        rnd.campaign_id,
        rnd.pk,
        "Nhà văn hóa khu 3",
        "Tổ 2",
    )
    figures = {f.unit: f for f in rounds.round_figures(rnd)}
    a, b = figures[world.commune_a], figures[world.commune_b]
    assert (a.sampled, a.people, a.households, a.resulted, a.positives) == (5, 4, 2, 3, 1)
    assert (b.sampled, b.people) == (0, 0)
    assert a.target_people + b.target_people == 40
    assert a.target_households + b.target_households == 20
    assert a.coverage_people == 4 / a.target_people
    whole = rounds.total(list(figures.values()))
    assert (whole.sampled, whole.positives, whole.target_people) == (5, 1, 40)


def test_closing_freezes_the_figures_once_and_stops_new_samples(world, staff):
    rnd = builders.screening_round(world, staff)
    point = builders.point(world, staff, rnd)
    _take(world, staff, point, "C-1", builders.person(world, staff), "negative")
    closed = rounds.round_close(by=staff.province_health_officer, round=rnd)
    assert closed.status == ScreeningRound.Status.CLOSED and closed.closed_at
    assert RoundFigures.objects.get(round=rnd, unit=world.commune_a).sampled == 1
    assert AuditEvent.objects.filter(action="labtests.round_close").count() == 1
    with pytest.raises(ValidationError, match="đã được kết thúc"):
        rounds.round_close(by=staff.province_health_officer, round=rnd)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        _take(world, staff, point, "C-2", builders.person(world, staff))
    # A late result after the close does not move the frozen figures.
    figures = {f.unit: f for f in rounds.round_figures(closed)}
    assert figures[world.commune_a].sampled == 1


def test_the_last_negative_round_of_a_commune(world, staff):
    camp = builders.campaign(world, staff, rounds=3)
    today = camp.starts_on
    negative = builders.screening_round(
        world, staff, camp, units=[world.commune_a], starts_on=today, ends_on=today
    )
    _take(
        world,
        staff,
        builders.point(world, staff, negative),
        "N-1",
        builders.person(world, staff),
        "negative",
    )
    pending = builders.screening_round(
        world, staff, camp, units=[world.commune_a], ends_on=today + timedelta(days=2)
    )
    _take(world, staff, builders.point(world, staff, pending), "N-2", builders.person(world, staff))
    assert rounds.last_negative_round_on([world.commune_a.pk]) is None  # none closed yet
    rounds.round_close(by=staff.province_health_officer, round=negative)
    # A result missing: closed all the same once the officer saw it.
    rounds.round_close(by=staff.province_health_officer, round=pending, pending_seen=1)
    assert rounds.last_negative_round_on([world.commune_a.pk]) == today
    assert rounds.last_negative_round_on([world.commune_b.pk]) is None


def test_a_point_must_be_in_the_round(world, staff):
    rnd = builders.screening_round(world, staff, units=[world.commune_a])
    with pytest.raises(ValidationError):
        builders.point(world, staff, rnd, commune=world.commune_b)
    from datetime import time

    with pytest.raises(ValidationError):
        builders.point(world, staff, rnd, opens_at=time(9), closes_at=time(8))


@pytest.mark.parametrize(
    ("results", "rejected", "seen", "closes"),
    [
        (["negative", "negative"], 0, 0, True),  # nothing pending: no extra step
        (["negative", None], 0, 0, False),  # one pending, not seen
        (["negative", None], 0, 1, True),  # one pending, seen and confirmed
        ([None, None], 0, 1, False),  # two pending now, the page showed one
        (["negative"], 1, 0, True),  # a rejected sample waits for nothing
    ],
)
def test_closing_with_results_pending_needs_the_number_seen(
    world, staff, results, rejected, seen, closes
):
    rnd = builders.screening_round(world, staff)
    point = builders.point(world, staff, rnd)
    for n, result in enumerate(results):
        _take(world, staff, point, f"P-{n}", builders.person(world, staff), result)
    for n in range(rejected):
        sample = _take(world, staff, point, f"X-{n}", builders.person(world, staff))
        services.sample_reject(by=staff.commune_worker_a, sample=sample, reason="vỡ ống")
    if closes:
        rounds.round_close(by=staff.province_health_officer, round=rnd, pending_seen=seen)
        assert ScreeningRound.objects.get(pk=rnd.pk).status == "closed"
    else:
        with pytest.raises(ValidationError, match=f"Còn {results.count(None)} mẫu"):
            rounds.round_close(by=staff.province_health_officer, round=rnd, pending_seen=seen)
        assert ScreeningRound.objects.get(pk=rnd.pk).status == "open"
        assert not RoundFigures.objects.filter(round=rnd).exists()


def test_a_result_arriving_after_the_close_leaves_the_figures_frozen(world, staff):
    rnd = builders.screening_round(world, staff)
    point = builders.point(world, staff, rnd)
    late = _take(world, staff, point, "L-1", builders.person(world, staff), symptomatic=True)
    _take(world, staff, point, "L-2", builders.person(world, staff), "negative")
    rounds.round_close(by=staff.province_health_officer, round=rnd, pending_seen=1)
    services.sample_result_record(
        by=staff.commune_worker_a, sample=late, result="positive", lab="CDC"
    )
    closed = ScreeningRound.objects.get(pk=rnd.pk)
    a = {f.unit: f for f in rounds.round_figures(closed)}[world.commune_a]
    assert (a.sampled, a.resulted, a.positives, a.symptomatic, a.symptomatic_positives) == (
        2,
        1,
        0,
        1,
        0,
    )


def test_the_round_counts_cases_found_among_those_with_symptoms(world, staff):
    rnd = builders.screening_round(world, staff)
    point = builders.point(world, staff, rnd)
    person = builders.person
    _take(world, staff, point, "Y-1", person(world, staff), "positive", symptomatic=True)
    _take(world, staff, point, "Y-2", person(world, staff), "negative", symptomatic=True)
    _take(world, staff, point, "Y-3", person(world, staff), "positive", reason="symptoms")
    _take(world, staff, point, "Y-4", person(world, staff), "positive")  # no symptoms
    _take(world, staff, point, "Y-5", person(world, staff), symptomatic=True)  # pending
    live = {f.unit: f for f in rounds.round_figures(rnd)}[world.commune_a]
    assert (live.positives, live.symptomatic, live.symptomatic_positives) == (3, 4, 2)
    rounds.round_close(by=staff.province_health_officer, round=rnd, pending_seen=1)
    frozen = RoundFigures.objects.get(round=rnd, unit=world.commune_a)
    assert (frozen.symptomatic, frozen.symptomatic_positives) == (4, 2)
