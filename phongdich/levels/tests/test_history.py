"""The history backfill stores, for every unit and day, what the daily assessment stores."""

import random
from datetime import date, timedelta

import pytest

from phongdich.levels import history, services
from phongdich.levels.models import Assessment
from phongdich.stats.models import UnitFigure

FIRST, LAST = date(2022, 1, 20), date(2022, 2, 3)  # across the 4800 → 218 switch (27/01)


@pytest.fixture
def figures(world):
    rng = random.Random(3)
    rows = []
    units = (world.province, world.district_a, world.district_b, world.commune_a, world.commune_b)
    for unit in units:
        for i in range(40):
            day = LAST - timedelta(days=i)
            rows.append(
                UnitFigure(
                    unit=unit, metric="cases.new_community", day=day, value=rng.randrange(0, 40)
                )
            )
            rows.append(
                UnitFigure(unit=unit, metric="cases.deaths_pcr", day=day, value=rng.randrange(0, 3))
            )
            if i % 3 == 0 and unit != world.commune_a:  # snapshots on some days only
                rows.append(
                    UnitFigure(
                        unit=unit,
                        metric="facilities.free_oxygen",
                        day=day,
                        value=rng.randrange(0, 200),
                    )
                )
    UnitFigure.objects.bulk_create(rows)
    return world


def _stored():
    return {
        (a.unit_id, a.day): (a.rules, a.inputs, a.outcome, a.computed_level, a.unconfirmed)
        for a in Assessment.objects.all()
    }


@pytest.mark.django_db
def test_the_backfill_equals_the_daily_assessment_day_by_day(figures, staff):
    for offset in range((LAST - FIRST).days + 1):
        services.levels_assess(
            by=None, day=FIRST + timedelta(days=offset), province=figures.province
        )
    daily = _stored()
    Assessment.objects.all().delete()
    n = history.levels_history(by=None, first=FIRST, last=LAST, province=figures.province)
    assert n == len(daily) == 15 * 6
    assert _stored() == daily
    assert {r for r, *_ in daily.values()} == {"4800", "218"}


@pytest.mark.django_db
def test_the_backfill_keeps_decided_days_and_replaces_proposals(figures, staff):
    services.levels_assess(by=None, day=FIRST, province=figures.province)
    a = Assessment.objects.get(unit=figures.commune_a, day=FIRST)
    services.assessment_review(by=staff.province_health_officer, assessment=a, level=4, reason="x")
    history.levels_history(by=None, first=FIRST, last=LAST, province=figures.province)
    a.refresh_from_db()
    assert a.status == "reviewed" and a.level == 4
    assert Assessment.objects.filter(day=FIRST).count() == 6
    history.levels_history(by=None, first=FIRST, last=LAST, province=figures.province)
    assert Assessment.objects.count() == 15 * 6


@pytest.mark.django_db
def test_the_backfill_writes_the_outcome_json_encodes(figures):
    """The backfill's own encoder of the outcome gives json.dumps's document for every row
    the daily assessment stores (both rule sets, missing and unconfirmed lists)."""
    import json

    from phongdich.levels import rules
    from phongdich.levels.thresholds import rules_in_force

    fragments: dict = {}
    samples = [
        {},
        {"cases_per_100k": 19.99, "deaths_per_100k": 6.01, "severe_per_100k": 0.0},
        {"cases_per_100k": 700, "population_full": 0.8, "high_risk_full": 0.95, "free_icu": 2},
        {"cases_per_100k": 25, "adults_at_least_one": 0.7, "free_beds_per_100k": 31.5},
    ]
    for day in (date(2021, 11, 1), date(2022, 2, 1)):
        rs = rules_in_force(day)
        for inputs in samples:
            for previous in (None, 1, 4):
                outcome = rules.assess(rs, inputs, previous)
                assert json.loads(history.outcome_json(outcome, fragments)) == outcome.as_dict()
