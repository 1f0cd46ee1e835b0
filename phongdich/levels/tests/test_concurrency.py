"""One publication per unit and day, and one set of proposals per day, whoever races
(threads on PostgreSQL; on SQLite the calls run in turn and the outcome rule still holds)."""

import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from phongdich.levels import services
from phongdich.levels.models import Assessment
from phongdich.testing import losers, make_staff, make_world, race, winners

DAY = date(2021, 11, 20)


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_publications_make_one():
    world = make_world()
    staff = make_staff(world)
    services.levels_assess(by=None, day=DAY, province=world.province)
    a = Assessment.objects.get(unit=world.commune_a, day=DAY)
    services.assessment_review(by=staff.province_health_officer, assessment=a, level=2)
    effective = services.earliest_effective()
    outcomes = race(
        [
            lambda: services.assessment_publish(
                by=staff.committee_member, assessment=a, effective_from=effective
            )
            for _ in range(4)
        ]
    )
    assert len(winners(outcomes)) == 1
    assert all(isinstance(e, ValidationError) for e in losers(outcomes)), losers(outcomes)
    assert Assessment.objects.filter(status="published").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_assessments_of_a_day_store_one_row_per_unit():
    world = make_world()
    outcomes = race(
        [
            lambda: services.levels_assess(by=None, day=DAY, province=world.province)
            for _ in range(3)
        ]
    )
    assert not losers(outcomes), losers(outcomes)
    assert Assessment.objects.filter(day=DAY).count() == 6


@pytest.mark.django_db(transaction=True)
def test_two_officers_moving_a_rule_sets_start_at_once_make_one_change(monkeypatch):
    """Both were shown 27/01/2022 and confirmed against it: one change is stored, the other
    officer is told who set which day (not silently replaced, not two rows from one view)."""
    from phongdich.levels import thresholds
    from phongdich.levels.models import RuleSetStart

    world = make_world()
    staff = make_staff(world)
    # A transactional test starts from an empty database: seed the starts as the migration does.
    if not RuleSetStart.objects.exists():
        RuleSetStart.objects.bulk_create(RuleSetStart(**r) for r in thresholds.start_seed_rows())
    seen = RuleSetStart.objects.get(rules="218").pk
    read = thresholds.start_rows

    def slow_read():
        # Widen the read-then-insert window so, without the lock, both read the same row.
        rows = read()
        time.sleep(0.3)
        return rows

    monkeypatch.setattr(thresholds, "start_rows", slow_read)
    outcomes = race(
        [
            lambda day=day: thresholds.rule_start_change(
                by=staff.province_health_officer, code="218", starts_on=day,
                regulation="Công văn của UBND tỉnh", confirmed=False, based_on=seen,
            )
            for day in (date(2022, 2, 10), date(2022, 2, 15))
        ]
    )  # fmt: skip
    assert len(winners(outcomes)) == 1, outcomes
    (refused,) = losers(outcomes)
    assert isinstance(refused, ValidationError) and "vừa được" in refused.messages[0]
    assert RuleSetStart.objects.filter(rules="218").count() == 2  # the seed and the winner
    assert thresholds.rule_set_starts()["218"] == winners(outcomes)[0].starts_on
