"""Pool arithmetic (RULES.md "Testing": pooled samples, a policy row for the size, up to 10
common practice)."""

import pytest

from phongdich.labtests import rules


@pytest.mark.parametrize(
    ("kind", "rows", "members", "room"),
    [
        ("pcr", None, 0, True),
        ("pcr", None, 9, True),  # the 10th fits (default 10)
        ("pcr", None, 10, False),  # an 11th does not
        ("pcr", {"pcr": 5}, 4, True),  # a policy row of 5: the 5th fits
        ("pcr", {"pcr": 5}, 5, False),  # a 6th does not
        ("rat", None, 0, False),  # rapid antigen tests are never pooled
    ],
)
def test_pool_room_at_every_boundary(kind, rows, members, room):
    assert rules.pool_has_room(kind, members, rows) is room


@pytest.mark.parametrize(
    ("result", "negative", "resample", "status"),
    [
        ("negative", True, False, "negative"),
        ("positive", False, True, "positive_awaiting"),
        ("invalid", False, True, "invalid"),
    ],
)
def test_a_pool_result_says_what_happens_to_its_members(result, negative, resample, status):
    outcome = rules.pool_outcome(result)
    assert (outcome.members_negative, outcome.resample_members, outcome.status) == (
        negative,
        resample,
        status,
    )


@pytest.mark.parametrize(
    ("results", "resolved"),
    [
        ([], False),
        (["negative", ""], False),  # a member missing a result keeps the pool waiting
        (["negative", "invalid"], False),  # an invalid re-test is no answer either
        (["negative", "positive"], True),
        (["negative", "negative"], True),
    ],
)
def test_a_positive_pool_waits_for_every_member(results, resolved):
    assert rules.pool_resolved(results) is resolved


@pytest.mark.parametrize(
    ("positives", "sampled", "share"), [(0, 0, None), (0, 10, 0.0), (1, 4, 0.25), (4, 4, 1.0)]
)
def test_positivity(positives, sampled, share):
    assert rules.positivity(positives, sampled) == share


def test_the_pool_size_in_force_is_the_latest_row_dated_on_or_before_the_day():
    from datetime import date

    rows = [
        ("pcr", date(2021, 1, 1), 10),
        ("pcr", date(2021, 9, 1), 5),
        ("pcr", date(2030, 1, 1), 3),  # decided ahead: not yet
        ("rat", date(2021, 1, 1), 1),
    ]
    assert rules.size_rows_on(rows, date(2020, 12, 31)) == {}
    assert rules.size_rows_on(rows, date(2021, 1, 1)) == {"pcr": 10, "rat": 1}
    assert rules.size_rows_on(rows, date(2021, 8, 31)) == {"pcr": 10, "rat": 1}
    assert rules.size_rows_on(rows, date(2021, 9, 1))["pcr"] == 5
    assert rules.pool_max("pcr", rules.size_rows_on(rows, date(2020, 1, 1))) == 10  # default
