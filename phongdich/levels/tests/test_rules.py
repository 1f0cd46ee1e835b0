"""Both rule sets at every threshold and every matrix cell (RULES.md, "Epidemic level")."""

from datetime import date

import pytest

from phongdich.levels import rules
from phongdich.levels.rules import HIGH, LOW, MEDIUM
from phongdich.levels.thresholds import rules_in_force

# Every table below runs against the rule sets built from the seeded policy rows (what
# the engine applies), not against the regulation values in rules.py.
pytestmark = pytest.mark.django_db


@pytest.fixture
def RULES_4800():
    return rules_in_force(date(2021, 10, 12), "4800")


@pytest.fixture
def RULES_218():
    return rules_in_force(date(2022, 1, 27), "218")


MET_4800 = {"adults_at_least_one": 0.9, "over_50_full": 0.9, "free_beds_per_100k": 50}
MET_218 = {"population_full": 0.9, "high_risk_full": 0.95, "deaths_per_100k": 0}


@pytest.mark.parametrize(
    "day, code",
    [
        (date(2021, 10, 11), None),  # before 4800 applied
        (date(2021, 10, 12), "4800"),  # 4800/QĐ-BYT from 12/10/2021
        (date(2022, 1, 26), "4800"),
        (date(2022, 1, 27), "218"),  # 218/QĐ-BYT from 27/01/2022
        (date(2023, 1, 1), "218"),
    ],
)
def test_the_rule_set_is_chosen_by_date(day, code):
    found = rules.rules_for(day)
    assert (found.code if found else None) == code


# 4800 criterion 1: < 20, 20 – < 50, 50 – < 150, ≥ 150 new community cases /100k/week.
@pytest.mark.parametrize(
    "rate, level",
    [(0, 1), (19.9, 1), (20, 2), (49.9, 2), (50, 3), (149.9, 3), (150, 4), (1000, 4)],
)
def test_4800_case_bands(rate, level, RULES_4800):
    assert rules.case_level(RULES_4800, rate) == level


# 218: "very high" above 600 /100k/week: 600 itself is not level 4.
@pytest.mark.parametrize(
    "rate, level",
    [(0, 1), (19.9, 1), (20, 2), (49.9, 2), (50, 3), (600, 3), (600.01, 4), (5000, 4)],
)
def test_218_case_bands(rate, level, RULES_218):
    assert rules.case_level(RULES_218, rate) == level


# 4800 matrix: (case band, coverage met) -> level; ✔ cells (1,met)=1, (2,met)=2, (4,met)=3.
@pytest.mark.parametrize(
    "rate, met, level",
    [
        (10, True, 1),
        (10, False, 2),
        (30, True, 2),
        (30, False, 3),
        (100, True, 2),
        (100, False, 3),
        (200, True, 3),
        (200, False, 4),
    ],
)
def test_4800_matrix_every_cell(rate, met, level, RULES_4800):
    inputs = {**MET_4800, "cases_per_100k": rate}
    if not met:
        inputs["over_50_full"] = 0.5
    assert rules.assess(RULES_4800, inputs).level == level


# Coverage: ≥ 70 % of 18+ with one dose and ≥ 80 % of 50+ fully vaccinated.
@pytest.mark.parametrize(
    "adults, over_50, level",
    [
        (0.699, 0.9, 2),
        (0.70, 0.9, 1),
        (0.9, 0.799, 2),
        (0.9, 0.80, 1),
        (None, 0.9, 2),  # no figure: coverage cannot lower the level
    ],
)
def test_4800_coverage_boundaries(adults, over_50, level, RULES_4800):
    inputs = {
        **MET_4800,
        "cases_per_100k": 5,
        "adults_at_least_one": adults,
        "over_50_full": over_50,
    }
    assert rules.assess(RULES_4800, inputs).level == level


def test_4800_confirmed_cells_are_not_flagged_and_others_are(RULES_4800):
    confirmed = rules.assess(RULES_4800, {**MET_4800, "cases_per_100k": 5})
    assert "cell:1:True" not in confirmed.unconfirmed
    guessed = rules.assess(RULES_4800, {**MET_4800, "cases_per_100k": 100})
    assert "cell:3:True" in guessed.unconfirmed


def test_4800_criterion_3_keeps_the_level_when_capacity_fails(RULES_4800):
    inputs = {**MET_4800, "cases_per_100k": 5, "free_beds_per_100k": 0}
    assert rules.assess(RULES_4800, inputs, previous_level=3).level == 3
    assert rules.assess(RULES_4800, {**inputs, "free_beds_per_100k": 1}, 3).level == 1


# 218 matrix, rows transmission 1–4, columns response high / medium / low.
MATRIX_218 = {1: (1, 1, 2), 2: (1, 2, 3), 3: (2, 3, 4), 4: (3, 4, 4)}
CAPACITY_INPUTS = {
    HIGH: {"free_beds_per_100k": 30, "free_icu": 1},
    MEDIUM: {"free_beds_per_100k": 10, "free_icu": 0},
    LOW: {"free_beds_per_100k": 9.9, "free_icu": 5},
}
RATE_FOR = {1: 5, 2: 30, 3: 100, 4: 700}


@pytest.mark.parametrize(
    "transmission, capacity",
    [(t, c) for t in (1, 2, 3, 4) for c in (HIGH, MEDIUM, LOW)],
)
def test_218_matrix_every_cell(transmission, capacity, RULES_218):
    inputs = {**MET_218, **CAPACITY_INPUTS[capacity], "cases_per_100k": RATE_FOR[transmission]}
    column = (HIGH, MEDIUM, LOW).index(capacity)
    assert rules.assess(RULES_218, inputs).level == MATRIX_218[transmission][column]


@pytest.mark.parametrize(
    "beds, icu, capacity",
    [
        (30, 1, HIGH),
        (30, 0, MEDIUM),
        (29.9, 1, MEDIUM),
        (10, 0, MEDIUM),
        (9.9, 9, LOW),
        (None, 1, None),
    ],
)
def test_218_capacity_boundaries(beds, icu, capacity, RULES_218):
    assert rules.capacity_218(RULES_218, beds, icu) == capacity


@pytest.mark.parametrize("deaths, level", [(6, 2), (6.01, 3)])
def test_218_deaths_above_6_add_one_level(deaths, level, RULES_218):
    inputs = {**MET_218, **CAPACITY_INPUTS[MEDIUM], "cases_per_100k": 30, "deaths_per_100k": deaths}
    assert rules.assess(RULES_218, inputs).level == level


@pytest.mark.parametrize(
    "population, high_risk, level",
    [(0.749, 0.95, 3), (0.75, 0.95, 2), (0.9, 0.899, 3), (0.9, 0.90, 2)],
)
def test_218_coverage_boundaries(population, high_risk, level, RULES_218):
    inputs = {
        **MET_218,
        **CAPACITY_INPUTS[MEDIUM],
        "cases_per_100k": 30,
        "population_full": population,
        "high_risk_full": high_risk,
    }
    assert rules.assess(RULES_218, inputs).level == level


def test_218_raises_stop_at_level_4(RULES_218):
    inputs = {
        **CAPACITY_INPUTS[LOW],
        "cases_per_100k": 700,
        "deaths_per_100k": 50,
        "population_full": 0.1,
        "high_risk_full": 0.1,
    }
    assert rules.assess(RULES_218, inputs).level == 4


def test_218_confirmed_cells(RULES_218):
    assert RULES_218.matrix[(2, MEDIUM)] == (2, True)
    assert RULES_218.matrix[(3, HIGH)] == (2, True)
    assert sum(1 for _l, ok in RULES_218.matrix.values() if ok) == 2


def test_no_case_figure_gives_no_level(RULES_4800, RULES_218):
    assert rules.assess(RULES_4800, MET_4800).level is None
    assert rules.assess(RULES_218, MET_218).level is None


@pytest.mark.parametrize(
    "count, population, days, rate",
    [(40, 100_000, 14, 20.0), (20, 100_000, 7, 20.0), (3, 12_000, 14, 12.5), (5, None, 7, None)],
)
def test_per_week(count, population, days, rate):
    assert rules.per_week(count, population, days) == rate
