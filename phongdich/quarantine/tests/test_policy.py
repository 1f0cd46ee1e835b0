"""The dated policy at every boundary (RULES.md, "F1 quarantine"): the day before and the
day each row applies, and the vaccinated and recovered windows at their edges."""

from datetime import date, timedelta

import pytest

from phongdich.checkpoints.rules import QUARANTINE_POLICIES
from phongdich.quarantine.models import Basis
from phongdich.quarantine.policy import policy_on

D = date
# (day, doses, recovered days before the day, row key or None, quarantine days, test days)
CASES = [
    # before the first row: no rule
    (D(2021, 6, 30), None, None, None, None, ()),
    # "mid 2021" (5599/BYT-MT): 14 days centralised for everyone, vaccinated or not
    (D(2021, 7, 1), None, None, "2021-mid", 14, ()),
    (D(2021, 7, 1), 2, None, "2021-mid", 14, ()),
    (D(2021, 12, 15), 2, None, "2021-mid", 14, ()),
    # 16/12/2021 (10696/BYT-MT): fully vaccinated or recovered ≤ 6 months: 7 days, test 1, 7
    (D(2021, 12, 16), 2, None, "2021-12-16-10696", 7, (1, 7)),
    (D(2021, 12, 16), 1, None, "2021-12-16-10696", 14, ()),
    (D(2021, 12, 16), None, None, "2021-12-16-10696", 14, ()),
    (D(2021, 12, 16), None, 183, "2021-12-16-10696", 7, (1, 7)),
    (D(2021, 12, 16), None, 184, "2021-12-16-10696", 14, ()),
    (D(2022, 1, 31), 2, None, "2021-12-16-10696", 7, (1, 7)),
    # early 2022: ≥ 2 doses or recovered ≤ 3 months: 5 days (test day 5); others 7 (day 7)
    (D(2022, 2, 1), 2, None, "2022-early", 5, (5,)),
    (D(2022, 2, 1), 1, None, "2022-early", 7, (7,)),
    (D(2022, 2, 1), None, 92, "2022-early", 5, (5,)),
    (D(2022, 2, 1), None, 93, "2022-early", 7, (7,)),
    (D(2022, 4, 14), None, None, "2022-early", 7, (7,)),
    # 15/4/2022 (1909/BYT-DP): F1 no longer quarantined
    (D(2022, 4, 15), None, None, "2022-04-15-1909", 0, ()),
    (D(2022, 4, 15), 3, None, "2022-04-15-1909", 0, ()),
]


@pytest.mark.parametrize("day,doses,recovered_ago,key,days,test_days", CASES)
def test_the_row_in_force_and_the_group(day, doses, recovered_ago, key, days, test_days):
    recovered_on = day - timedelta(days=recovered_ago) if recovered_ago is not None else None
    plan = policy_on(
        day, Basis.F1, doses=doses, recovered_on=recovered_on, table=QUARANTINE_POLICIES
    )
    if key is None:
        assert plan is None
        return
    assert plan.policy.key == key
    assert plan.quarantine_days == days
    assert plan.test_dates == tuple(day + timedelta(days=n - 1) for n in test_days)
    if days:
        assert plan.quarantine_end == day + timedelta(days=days - 1)


@pytest.mark.parametrize(
    "basis,exposure,start,day_one",
    [
        # a row counted from arrival: an F1 found late starts the day quarantine begins ...
        (Basis.F1, D(2022, 1, 10), D(2022, 1, 12), D(2022, 1, 12)),
        # ... a returnee's day 1 is the arrival
        (Basis.RETURNEE, D(2022, 1, 10), D(2022, 1, 12), D(2022, 1, 10)),
        # the early-2022 row counts from the last exposure, whenever the F1 was found
        (Basis.F1, D(2022, 2, 10), D(2022, 2, 12), D(2022, 2, 10)),
    ],
)
def test_day_one(basis, exposure, start, day_one):
    plan = policy_on(exposure, basis, doses=2, start=start, table=QUARANTINE_POLICIES)
    assert plan.start == day_one
    assert plan.test_dates[0] >= day_one


@pytest.mark.django_db
def test_the_provinces_edited_rows_are_read():
    from phongdich.checkpoints.models import QuarantineGroupRow, QuarantinePolicyRow

    QuarantineGroupRow.objects.all().delete()
    QuarantinePolicyRow.objects.all().delete()
    row = QuarantinePolicyRow.objects.create(
        key="tinh-2022", valid_from=D(2022, 1, 1), regulation="QĐ tỉnh", summary="10 ngày"
    )
    QuarantineGroupRow.objects.create(policy=row, label="Mọi người", home_days=10, test_days="3")
    plan = policy_on(D(2022, 1, 1), Basis.F1)
    assert (plan.policy.key, plan.quarantine_days) == ("tinh-2022", 10)
    assert plan.test_dates == (D(2022, 1, 3),)
    assert policy_on(D(2021, 12, 31), Basis.F1) is None
