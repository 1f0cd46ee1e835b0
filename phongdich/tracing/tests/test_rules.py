"""Pure rules at their boundaries (RULES.md, "Testing": WHO tracing indicators; clusters:
14 or 28 days without a new case, unconfirmed, kept per cluster)."""

from datetime import date, datetime, timedelta

import pytest

from phongdich.tracing import rules

T0 = datetime(2021, 12, 20, 9, 0)


@pytest.mark.parametrize(
    "after, within",
    [
        (timedelta(0), True),
        (timedelta(hours=23, minutes=59), True),
        (timedelta(hours=24), True),  # exactly 24 h still counts
        (timedelta(hours=24, seconds=1), False),
        (timedelta(days=3), False),
    ],
)
def test_listed_within_24_hours(after, within):
    assert rules.listed_within_24h(T0, T0 + after) is within


D = date(2021, 12, 1)


@pytest.mark.parametrize(
    "last, today, days, closed",
    [
        (D, D + timedelta(days=13), 14, False),
        (D, D + timedelta(days=14), 14, True),
        (D, D + timedelta(days=27), 28, False),
        (D, D + timedelta(days=28), 28, True),
        (None, D + timedelta(days=100), 28, False),  # no case yet: stays open
    ],
)
def test_cluster_closes_after_its_days_without_a_case(last, today, days, closed):
    assert rules.cluster_should_close(last, today, days) is closed


@pytest.mark.parametrize(
    "part, whole, expected",
    [(0, 0, None), (3, 0, None), (0, 4, 0.0), (1, 4, 0.25), (4, 4, 1.0)],
)
def test_share(part, whole, expected):
    assert rules.share(part, whole) == expected


def test_indicator_shares():
    shares = rules.indicator_shares(
        new_cases=4,
        contacts_of_new_cases=10,
        contacts_listed_24h=8,
        new_cases_known_contacts=1,
        contacts_listed=5,
        contacts_quarantined=0,
    )
    assert shares == rules.Shares(
        contacts_per_case=2.5, listed_24h=0.8, known_contacts=0.25, quarantined=0.0
    )


@pytest.mark.parametrize(
    "current, new, allowed",
    [
        ("listed", "notified", True),
        ("listed", "became_case", True),
        ("notified", "listed", False),
        ("released", "quarantined", False),
        ("became_case", "released", False),
        ("quarantined", "tested", True),
    ],
)
def test_status_moves(current, new, allowed):
    assert rules.may_move(current, new) is allowed
