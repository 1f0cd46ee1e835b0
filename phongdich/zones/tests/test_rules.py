"""The lifting rule and the food arithmetic at every boundary (rules.py; RULES.md has no
national text for lifting, so the 14 days are the unconfirmed practice of 2021)."""

from datetime import date, timedelta

import pytest

from phongdich.zones import rules

D = date(2021, 9, 1)


@pytest.mark.parametrize(
    ("in_force", "last_case", "negative_round", "today", "may_lift"),
    [
        (True, D, D + timedelta(days=13), D + timedelta(days=13), False),  # day 13: too early
        (True, D, D + timedelta(days=13), D + timedelta(days=14), True),  # day 14: complete
        (True, D, D + timedelta(days=1), D + timedelta(days=30), True),  # round after the case
        (True, D, D, D + timedelta(days=30), False),  # a round on the day of the case: not after
        (True, D, D - timedelta(days=1), D + timedelta(days=30), False),  # round before the case
        (True, D, None, D + timedelta(days=30), False),  # no negative round at all
        (False, D, D + timedelta(days=1), D + timedelta(days=30), False),  # not in force
    ],
)
def test_lifting_boundaries(in_force, last_case, negative_round, today, may_lift):
    check = rules.lifting(
        in_force=in_force,
        started_on=D - timedelta(days=3),
        last_case_on=last_case,
        last_negative_round_on=negative_round,
        today=today,
    )
    assert check.may_lift is may_lift
    if in_force:
        assert check.days_complete_on == D + timedelta(days=rules.LIFT_DAYS_WITHOUT_CASE)


def test_lifting_counts_from_the_start_when_no_case_was_recorded():
    started = date(2021, 9, 10)
    check = rules.lifting(
        in_force=True,
        started_on=started,
        last_case_on=None,
        last_negative_round_on=started + timedelta(days=5),
        today=started + timedelta(days=14),
    )
    assert check.may_lift and check.days_complete_on == started + timedelta(days=14)


def test_a_case_after_the_start_moves_the_day_on():
    check = rules.lifting(
        in_force=True,
        started_on=D,
        last_case_on=D + timedelta(days=10),
        last_negative_round_on=D + timedelta(days=12),
        today=D + timedelta(days=20),
    )
    assert not check.may_lift
    assert check.days_complete_on == D + timedelta(days=24)
    assert len(check.reasons) == 1


@pytest.mark.parametrize(
    ("last_delivery", "today", "gap"),
    [
        (D, D + timedelta(days=2), None),  # 2 days: not yet a gap (N = 3)
        (D, D + timedelta(days=3), 3),  # 3 days: a gap
        (None, D + timedelta(days=2), None),  # never served, joined 2 days ago
        (None, D + timedelta(days=5), 5),  # never served, joined 5 days ago
        (D + timedelta(days=4), D + timedelta(days=5), None),  # served yesterday
    ],
)
def test_food_gap_boundaries(last_delivery, today, gap):
    assert rules.food_gap(last_delivery_on=last_delivery, since=D, today=today) == gap


def test_outstanding_portions_never_offset_an_over_delivery():
    assert rules.outstanding_portions([(10, 4), (5, 9), (3, 0)]) == 6 + 0 + 3
    assert rules.outstanding_portions([]) == 0
