"""One publication per unit and day, and one set of proposals per day, whoever races
(threads on PostgreSQL; on SQLite the calls run in turn and the outcome rule still holds)."""

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
