"""218's response capacity reads the commune's capacity to manage F0 at home (the care-team
workload) beside the beds, and new cases needing oxygen or ventilation raise the level above
their threshold; both thresholds are unconfirmed policy rows, shown as such."""

from datetime import date

import pytest

from phongdich.levels import rules, services
from phongdich.levels.models import Assessment
from phongdich.levels.rules import HIGH, LOW, MEDIUM
from phongdich.levels.thresholds import rules_in_force
from phongdich.stats.models import UnitFigure
from phongdich.testing import make_user

pytestmark = pytest.mark.django_db

DAY = date(2022, 2, 10)
MET = {"population_full": 0.9, "high_risk_full": 0.95, "deaths_per_100k": 0}


@pytest.fixture
def rs():
    return rules_in_force(DAY)


@pytest.mark.parametrize(
    "per_staff, rating",
    [(0, HIGH), (20, HIGH), (20.01, MEDIUM), (50, MEDIUM), (50.01, LOW), (None, None)],
)
def test_home_care_rating_at_each_boundary(rs, per_staff, rating):
    assert rules.home_capacity(rs, per_staff) == rating


@pytest.mark.parametrize(
    "beds, icu, per_staff, capacity",
    [
        (30, 1, 20, HIGH),  # both high
        (30, 1, 20.01, MEDIUM),  # the workload is the weaker
        (30, 1, 50.01, LOW),
        (10, 0, 5, MEDIUM),  # the beds are the weaker
        (9.9, 0, 5, LOW),
        (None, None, 5, HIGH),  # the workload alone
        (30, 1, None, HIGH),  # the beds alone (no care staff registered)
        (None, None, None, None),
    ],
)
def test_capacity_is_the_weaker_of_beds_and_home_care(rs, beds, icu, per_staff, capacity):
    assert rules.capacity_218(rs, beds, icu, per_staff) == capacity


@pytest.mark.parametrize(
    "per_staff, level",
    # transmission 3 (100 /100k): matrix row 3 is high 2 / medium 3 / low 4
    [(20, 2), (20.01, 3), (50, 3), (50.01, 4)],
)
def test_the_workload_moves_the_level_through_the_matrix(rs, per_staff, level):
    inputs = {
        **MET,
        "cases_per_100k": 100,
        "free_beds_per_100k": 30,
        "free_icu": 1,
        "home_f0_per_staff": per_staff,
    }
    outcome = rules.assess(rs, inputs)
    assert outcome.level == level
    home = next(c for c in outcome.criteria if c.key == "home_care")
    assert home.confirmed is False and home.threshold == "≤ 20 / ≤ 50"


@pytest.mark.parametrize(
    "severe, level, flagged",
    [(None, 2, False), (10, 2, False), (10.01, 3, True)],  # transmission 2, capacity medium
)
def test_severe_cases_above_the_threshold_add_one_level(rs, severe, level, flagged):
    inputs = {**MET, "cases_per_100k": 30, "free_beds_per_100k": 10, "free_icu": 0}
    if severe is not None:
        inputs["severe_per_100k"] = severe
    outcome = rules.assess(rs, inputs)
    assert outcome.level == level
    assert ("severe" in outcome.unconfirmed) is flagged
    criterion = next(c for c in outcome.criteria if c.key == "severe_per_100k")
    assert criterion.confirmed is False and criterion.threshold == "> 10"


def test_severe_and_deaths_each_add_a_level_up_to_4(rs):
    inputs = {**MET, "cases_per_100k": 30, "free_beds_per_100k": 10, "free_icu": 0}
    inputs.update(deaths_per_100k=7, severe_per_100k=11)
    assert rules.assess(rs, inputs).level == 4  # 2 + 1 + 1, medium capacity


def test_the_daily_assessment_reads_f0_at_home_and_the_care_staff(world, staff):
    # staff: one commune health worker and one care-team member in commune_a, one worker
    # in commune_b (testing.make_staff); an inactive account does not count.
    make_user("cham.soc.nghi", "care_team_member", world.commune_a, is_active=False)
    UnitFigure.objects.bulk_create(
        [
            UnitFigure(unit=world.commune_a, metric="cases.active_home", day=DAY, value=90),
            UnitFigure(unit=world.commune_a2, metric="cases.active_home", day=DAY, value=4),
            UnitFigure(unit=world.district_a, metric="cases.active_home", day=DAY, value=94),
        ]
    )
    services.levels_assess(by=None, day=DAY, province=world.province)
    got = {a.unit_id: a for a in Assessment.objects.filter(day=DAY)}
    a = got[world.commune_a.pk]
    assert (a.inputs["home_f0"], a.inputs["care_staff"]) == (90, 2)
    assert a.inputs["home_f0_per_staff"] == 45
    assert next(c for c in a.outcome["criteria"] if c["key"] == "home_care")["result"] == MEDIUM
    # A commune with F0 at home and nobody registered: no workload can be read.
    a2 = got[world.commune_a2.pk]
    assert a2.inputs["care_staff"] == 0 and a2.inputs["home_f0_per_staff"] is None
    d = got[world.district_a.pk]
    assert d.inputs["care_staff"] == 2 and d.inputs["home_f0_per_staff"] == 47
    assert got[world.province.pk].inputs["care_staff"] == 3
