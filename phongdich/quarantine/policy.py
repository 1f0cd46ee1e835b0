"""The quarantine plan for one person by the dated policy rows `checkpoints` already holds
(`QuarantinePolicyRow` / `QuarantineGroupRow`, seeded from `checkpoints.rules`, RULES.md
"F1 quarantine"). Nothing is duplicated here: this module only chooses the row and the day 1
for a quarantine record, whatever its basis."""

import dataclasses
from datetime import date, timedelta

from phongdich.checkpoints import rules as policy_rules
from phongdich.checkpoints.rules import QuarantinePlan, QuarantinePolicy

from .models import Basis


def policies() -> tuple[QuarantinePolicy, ...]:
    """The province's active rows (two queries), or the built-in table when never seeded."""
    from phongdich.checkpoints.services import quarantine_policies

    return quarantine_policies()


def policy_on(
    day: date,
    basis: str = Basis.F1,
    *,
    doses: int | None = None,
    recovered_on: date | None = None,
    start: date | None = None,
    table: tuple[QuarantinePolicy, ...] | None = None,
) -> QuarantinePlan | None:
    """The plan under the row in force on `day`, the exposure (F1) or arrival (returnee) day.

    The row and the person's group are chosen on `day` (vaccination doses, recovery counted
    back from `day`). Day 1 is `day` itself when the row counts from the last exposure
    (early 2022) or the person is a returnee (arrival); a 2021 row counted "from arrival"
    starts an F1's quarantine the day it actually begins (`start`), since an F1 found late
    could not have been quarantined from the exposure. None: no row that day, or the
    province's edited row has no group for this person.
    """
    table = policies() if table is None else table
    plan = policy_rules.quarantine_plan(
        on=day, doses=doses, recovered_on=recovered_on, policies=table
    )
    if plan is None:
        return None
    day_one = day
    if (
        basis != Basis.RETURNEE
        and plan.policy.counted_from != "last_exposure"
        and start is not None
        and start > day
    ):
        day_one = start
    if day_one == plan.start:
        return plan
    return dataclasses.replace(
        plan,
        start=day_one,
        test_dates=tuple(day_one + timedelta(days=d - 1) for d in plan.group.test_days),
    )


def doses_on_record(person, before: date) -> int | None:
    """Doses the vaccination register holds for `person` given on or before `before`, or
    None when it has none (the caller then uses what the person declared)."""
    from django.apps import apps

    if not apps.is_installed("phongdich.vaccination"):
        return None
    from phongdich.vaccination.models import Dose

    count = Dose.objects.of_person(person).filter(given_on__lte=before).count()
    return count or None
