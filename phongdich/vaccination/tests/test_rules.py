"""Table-driven boundaries of the vaccination rules (built-in tables, RULES.md)."""

from datetime import date, timedelta

import pytest

from phongdich.vaccination import rules
from phongdich.vaccination.rules import BOOSTER, PRIMARY, DoseFact, Person

ADULT = Person(birth_date=date(1980, 5, 1))


def _d(product, n, day, kind=PRIMARY):
    return DoseFact(product, n, kind, day)


# Each product's minimum interval before dose 2: a day before is flagged, on the day is not.
INTERVAL_CASES = [
    # product, dose 1 given, minimum days in force on dose 2's day
    ("astrazeneca", date(2021, 10, 1), 56),  # 7820/BYT-DP from 20/9/2021
    ("astrazeneca", date(2021, 6, 1), 28),  # before 7820: the maker's 4 weeks
    ("pfizer", date(2021, 10, 1), 21),
    ("moderna", date(2021, 10, 1), 28),
    ("verocell", date(2021, 10, 1), 21),
    ("sputnikv", date(2021, 10, 1), 21),
]


@pytest.mark.parametrize(("product", "first", "days"), INTERVAL_CASES)
@pytest.mark.parametrize("offset", [-1, 0])
def test_minimum_interval_a_day_before_and_on_the_day(product, first, days, offset):
    second = _d(product, 2, first + timedelta(days=days + offset))
    found = rules.violations(ADULT, second, [_d(product, 1, first)])
    assert (rules.INTERVAL_SHORT in found) == (offset < 0)


@pytest.mark.parametrize(("product", "first", "days"), INTERVAL_CASES)
def test_next_dose_is_due_from_the_minimum_interval(product, first, days):
    status = rules.status_on(ADULT, [_d(product, 1, first)], first + timedelta(days=1))
    assert status.status == rules.PARTLY
    assert (status.next.dose_number, status.next.earliest) == (2, first + timedelta(days=days))


def test_the_7820_change_applies_on_its_day():
    first = date(2021, 8, 1)
    # Dose 2 on 19/9 (old rule, 49 days >= 28) is fine; on 20/9 the 56-day minimum applies.
    assert (
        rules.violations(
            ADULT, _d("astrazeneca", 2, date(2021, 9, 19)), [_d("astrazeneca", 1, first)]
        )
        == []
    )
    assert rules.violations(
        ADULT, _d("astrazeneca", 2, date(2021, 9, 20)), [_d("astrazeneca", 1, first)]
    ) == [rules.INTERVAL_SHORT]


@pytest.mark.parametrize(("days_after", "expected"), [(13, rules.PARTLY), (14, rules.FULLY)])
def test_fully_vaccinated_from_day_14(days_after, expected):
    second = date(2021, 11, 1)
    doses = [_d("pfizer", 1, date(2021, 10, 11)), _d("pfizer", 2, second)]
    status = rules.status_on(ADULT, doses, second + timedelta(days=days_after))
    assert status.status == expected
    assert status.fully_from == second + timedelta(days=14)


def test_not_vaccinated_then_boosted():
    assert rules.status_on(ADULT, [], date(2022, 1, 1)).status == rules.NOT_VACCINATED
    doses = [
        _d("astrazeneca", 1, date(2021, 7, 1)),
        _d("astrazeneca", 2, date(2021, 9, 30)),
        _d("pfizer", 3, date(2022, 1, 10), BOOSTER),
    ]
    assert rules.status_on(ADULT, doses, date(2022, 1, 9)).status == rules.FULLY
    assert rules.status_on(ADULT, doses, date(2022, 1, 10)).status == rules.BOOSTED


def test_doses_after_the_day_do_not_count():
    doses = [_d("pfizer", 1, date(2021, 10, 11))]
    assert rules.status_on(ADULT, doses, date(2021, 10, 10)).status == rules.NOT_VACCINATED


# Age eligibility on the day a group opened, and the day before.
ELIGIBILITY_CASES = [
    # birth date, product, day opened, age group
    (date(2008, 1, 1), "pfizer", date(2021, 10, 1)),  # 13 years old: 12–17 from 10/2021
    (date(2015, 1, 1), "pfizer", date(2022, 4, 14)),  # 7 years old: 5–11 from 2022
    (date(2015, 1, 1), "moderna", date(2022, 4, 14)),
    (date(1990, 1, 1), "astrazeneca", date(2021, 3, 8)),  # adults from the campaign's start
]


@pytest.mark.parametrize(("born", "product", "opened"), ELIGIBILITY_CASES)
@pytest.mark.parametrize("offset", [-1, 0])
def test_age_eligibility_on_the_day_a_group_opened(born, product, opened, offset):
    person = Person(birth_date=born)
    day = opened + timedelta(days=offset)
    found = rules.violations(person, _d(product, 1, day), [])
    assert (rules.AGE_NOT_ELIGIBLE in found) == (offset < 0)
    assert rules.is_eligible(person, product, day) == (offset == 0)


@pytest.mark.parametrize(
    ("birth_date", "eligible"),
    [(date(2009, 10, 2), False), (date(2009, 10, 1), True)],  # 12th birthday the day after / on
)
def test_age_counts_on_the_birthday(birth_date, eligible):
    day = date(2021, 10, 1)
    assert rules.is_eligible(Person(birth_date=birth_date), "pfizer", day) == eligible


def test_children_may_not_have_astrazeneca():
    child = Person(birth_date=date(2008, 1, 1))
    assert rules.violations(child, _d("astrazeneca", 1, date(2022, 1, 5)), []) == [
        rules.AGE_NOT_ELIGIBLE
    ]


def test_a_year_only_record_is_not_flagged_by_a_birthday_it_may_have_had():
    assert rules.age_on(Person(birth_year=2009), date(2021, 10, 1)) == 12


def test_same_dose_twice_and_a_missing_previous_dose():
    first = _d("pfizer", 1, date(2021, 10, 1))
    again = _d("pfizer", 1, date(2021, 10, 20))
    assert rules.SAME_DOSE_TWICE in rules.violations(ADULT, again, [first])
    assert rules.violations(ADULT, _d("pfizer", 2, date(2021, 11, 1)), []) == [
        rules.PREVIOUS_MISSING
    ]


@pytest.mark.parametrize(
    ("first", "then", "day", "flagged"),
    [
        ("astrazeneca", "pfizer", date(2021, 11, 30), False),  # the allowed mix
        ("pfizer", "astrazeneca", date(2021, 11, 30), True),  # not in the table
        ("verocell", "pfizer", date(2021, 11, 30), True),
    ],
)
def test_mixed_primary_series(first, then, day, flagged):
    found = rules.violations(ADULT, _d(then, 2, day), [_d(first, 1, date(2021, 10, 1))])
    assert (rules.MIX_NOT_LISTED in found) == flagged


# Booster timing: 6 months in late 2021, 3 months from 2022, dose 4 for 50+ after 4 months.
@pytest.mark.parametrize(
    ("second", "min_days"),
    # Boosters falling in late 2021 (6-month rule) and in 2022 (3-month rule).
    [(date(2021, 6, 1), 183), (date(2021, 11, 1), 90)],
)
@pytest.mark.parametrize("offset", [-1, 0])
def test_booster_interval(second, min_days, offset):
    doses = [_d("pfizer", 1, second - timedelta(days=21)), _d("pfizer", 2, second)]
    booster = _d("pfizer", 3, second + timedelta(days=min_days + offset), BOOSTER)
    assert (rules.INTERVAL_SHORT in rules.violations(ADULT, booster, doses)) == (offset < 0)


def test_next_booster_and_why_none():
    doses = [_d("pfizer", 1, date(2021, 9, 1)), _d("pfizer", 2, date(2021, 9, 22))]
    status = rules.status_on(ADULT, doses, date(2022, 2, 1))
    assert (status.next.dose_number, status.next.kind) == (3, BOOSTER)
    assert status.next.earliest == date(2021, 9, 22) + timedelta(days=90)
    boosted = [*doses, _d("pfizer", 3, date(2022, 1, 5), BOOSTER)]
    # Dose 4 opens on 23/6/2022 for people 50 and over only.
    assert rules.status_on(ADULT, boosted, date(2022, 3, 1)).next.reason == rules.NONE_NO_FURTHER
    older = Person(birth_date=date(1960, 1, 1))
    fourth = rules.status_on(older, boosted, date(2022, 7, 1)).next
    assert (fourth.dose_number, fourth.earliest) == (4, date(2022, 1, 5) + timedelta(days=120))


def test_a_child_too_young_has_no_dose_due():
    status = rules.status_on(Person(birth_date=date(2019, 1, 1)), [], date(2022, 6, 1))
    assert status.next.reason == rules.NONE_PRIMARY_NOT_OPEN
