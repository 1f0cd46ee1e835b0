"""Vaccination rules: pure functions over a person's doses and the dated policy tables.

The built-in tables below are the defaults and the seed of the province's editable rows
(`models.IntervalRow`, `EligibilityRow`, `MixRow`, `VaccineProduct`); services read the
active rows and pass them here. Values come from ../shared/RULES.md ("Vaccination"); a row
whose value RULES.md does not state (a start day, a mix, the 12–17 booster) is marked
`confirmed=False`, and the pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

# Fully vaccinated = primary series complete and the last primary dose at least this many
# days ago (RULES.md, "Vaccination").
FULLY_AFTER_DAYS = 14

PRIMARY, ADDITIONAL, BOOSTER = "primary", "additional", "booster"

NOT_VACCINATED, PARTLY, FULLY, BOOSTED = "none", "partly", "fully", "boosted"

# Why a dose is listed for review (kept as recorded, never rejected).
INTERVAL_SHORT = "interval_short"
SAME_DOSE_TWICE = "same_dose_twice"
AGE_NOT_ELIGIBLE = "age_not_eligible"
MIX_NOT_LISTED = "mix_not_listed"
PREVIOUS_MISSING = "previous_missing"
VIOLATIONS = (INTERVAL_SHORT, SAME_DOSE_TWICE, AGE_NOT_ELIGIBLE, MIX_NOT_LISTED, PREVIOUS_MISSING)

# Why no next dose is due.
NONE_PRIMARY_NOT_OPEN = "not_eligible"  # no product open to the person's age on the day
NONE_NO_FURTHER = "no_further"  # no rule gives this age group another dose
NONE_COMPLETE = "complete"  # every dose the rules give has been recorded


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    primary_doses: int = 2
    confirmed: bool = True


@dataclass(frozen=True)
class Interval:
    """Dose `dose_number` of kind `kind` may be given `min_days` after the previous dose
    (recommended `recommended_days`), from `valid_from`. `product` is the previous dose's
    product for primary doses; "" means any product. Ages are in whole years,
    `max_age` exclusive."""

    key: str
    valid_from: date
    dose_number: int
    kind: str
    min_days: int
    recommended_days: int
    regulation: str
    product: str = ""
    min_age: int | None = None
    max_age: int | None = None
    confirmed: bool = True


@dataclass(frozen=True)
class Eligibility:
    """People aged [min_age, max_age) may start `product` ("" = any) from `valid_from`."""

    key: str
    valid_from: date
    min_age: int
    max_age: int | None
    regulation: str
    product: str = ""
    confirmed: bool = True


@dataclass(frozen=True)
class Mix:
    """Primary dose `dose_number` of `then` may follow `first` from `valid_from`."""

    key: str
    valid_from: date
    first: str
    then: str
    dose_number: int
    regulation: str
    min_age: int | None = None
    confirmed: bool = True


@dataclass(frozen=True)
class Policy:
    products: tuple[Product, ...]
    intervals: tuple[Interval, ...]
    eligibility: tuple[Eligibility, ...]
    mixes: tuple[Mix, ...] = ()

    def product(self, code: str) -> Product | None:
        return next((p for p in self.products if p.code == code), None)


@dataclass(frozen=True)
class DoseFact:
    product: str
    dose_number: int
    kind: str
    given_on: date
    id: int | None = None


@dataclass(frozen=True)
class Person:
    birth_date: date | None = None
    birth_year: int | None = None


# --- the built-in tables (RULES.md, "Vaccination") -----------------------------------------

PRODUCTS = (
    Product("astrazeneca", "AstraZeneca (Vaxzevria)"),
    Product("pfizer", "Pfizer-BioNTech (Comirnaty)"),
    Product("moderna", "Moderna (Spikevax)"),
    Product("verocell", "Vero Cell (Sinopharm)"),
    Product("sputnikv", "Sputnik V"),
)

_START = date(2021, 3, 8)  # first doses in Viet Nam (not in RULES.md: unconfirmed)
_RULES_MD = "Bộ Y tế, khoảng cách giữa hai mũi cơ bản"
INTERVALS = (
    Interval(
        "az-2-maker",
        _START,
        2,
        PRIMARY,
        28,
        84,
        "Hướng dẫn của nhà sản xuất (4–12 tuần)",
        "astrazeneca",
        confirmed=False,
    ),
    Interval(
        "az-2-7820",
        date(2021, 9, 20),
        2,
        PRIMARY,
        56,
        84,
        "Công văn 7820/BYT-DP, 20/9/2021 (8–12 tuần)",
        "astrazeneca",
    ),
    Interval("pfizer-2", _START, 2, PRIMARY, 21, 21, _RULES_MD, "pfizer"),
    Interval("moderna-2", _START, 2, PRIMARY, 28, 28, _RULES_MD, "moderna"),
    Interval("verocell-2", _START, 2, PRIMARY, 21, 28, _RULES_MD, "verocell"),
    Interval("sputnikv-2", _START, 2, PRIMARY, 21, 21, _RULES_MD, "sputnikv"),
    Interval(
        "booster-3-6m",
        date(2021, 11, 1),
        3,
        BOOSTER,
        183,
        183,
        "Bộ Y tế, mũi nhắc lại 6 tháng sau liều cơ bản (cuối năm 2021)",
        min_age=18,
        confirmed=False,
    ),
    Interval(
        "booster-3-3m",
        date(2022, 1, 1),
        3,
        BOOSTER,
        90,
        90,
        "Bộ Y tế, mũi nhắc lại 3 tháng sau liều cơ bản (đầu năm 2022)",
        min_age=18,
        confirmed=False,
    ),
    Interval(
        "booster-3-12-17",
        date(2022, 5, 1),
        3,
        BOOSTER,
        150,
        150,
        "Bộ Y tế, mũi 3 cho trẻ 12–17 tuổi sau mũi 2 năm tháng",
        min_age=12,
        max_age=18,
        confirmed=False,
    ),
    Interval(
        "booster-4",
        date(2022, 6, 23),
        4,
        BOOSTER,
        120,
        120,
        "Công văn 3309/BYT-DP, 23/6/2022 (mũi 4 sau mũi 3 bốn tháng, người 50 tuổi trở lên)",
        min_age=50,
    ),
)

ELIGIBILITY = (
    Eligibility(
        "adults",
        _START,
        18,
        None,
        "Chiến dịch tiêm chủng vắc xin COVID-19, từ 03/2021",
        confirmed=False,
    ),
    Eligibility(
        "12-17-pfizer",
        date(2021, 10, 1),
        12,
        18,
        "Bộ Y tế, tiêm cho trẻ 12–17 tuổi từ tháng 10/2021",
        "pfizer",
    ),
    Eligibility(
        "12-17-moderna",
        date(2021, 10, 1),
        12,
        18,
        "Bộ Y tế, tiêm cho trẻ 12–17 tuổi từ tháng 10/2021",
        "moderna",
        confirmed=False,
    ),
    Eligibility(
        "5-11-pfizer",
        date(2022, 4, 14),
        5,
        12,
        "Bộ Y tế, tiêm cho trẻ 5 đến dưới 12 tuổi năm 2022",
        "pfizer",
        confirmed=False,
    ),
    Eligibility(
        "5-11-moderna",
        date(2022, 4, 14),
        5,
        12,
        "Bộ Y tế, tiêm cho trẻ 5 đến dưới 12 tuổi năm 2022",
        "moderna",
        confirmed=False,
    ),
)

MIXES = (
    Mix(
        "az-pfizer",
        date(2021, 9, 20),
        "astrazeneca",
        "pfizer",
        2,
        "AstraZeneca rồi Pfizer sau 8–12 tuần",
        min_age=18,
    ),
)

BUILT_IN = Policy(PRODUCTS, INTERVALS, ELIGIBILITY, MIXES)


# --- ages -----------------------------------------------------------------------------------


def age_on(person: Person, day: date) -> int | None:
    """Whole years on `day`. With a birth year only, the person counts as having reached
    that year's age on 1 January, so a year-only record is never flagged as too young by a
    birthday it may already have had."""
    if person.birth_date:
        b = person.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))
    if person.birth_year:
        return day.year - person.birth_year
    return None


def _in_band(age: int | None, low: int | None, high: int | None) -> bool:
    if age is None:
        return True  # unknown age: no age rule can be applied, so none is broken
    return (low is None or age >= low) and (high is None or age < high)


def eligible_products(person: Person, day: date, policy: Policy = BUILT_IN) -> set[str] | None:
    """Products open to the person on `day` ("" in the set: any product); None when no
    row lets their age start."""
    age = age_on(person, day)
    found = {
        row.product
        for row in policy.eligibility
        if row.valid_from <= day and _in_band(age, row.min_age, row.max_age)
    }
    return found or None


def is_eligible(person: Person, product: str, day: date, policy: Policy = BUILT_IN) -> bool:
    found = eligible_products(person, day, policy)
    return found is not None and ("" in found or product in found)


def interval_for(
    *,
    dose_number: int,
    kind: str,
    previous_product: str,
    age: int | None,
    day: date,
    policy: Policy = BUILT_IN,
) -> Interval | None:
    """The interval row in force on `day` for this dose: the latest `valid_from`, a row
    naming the previous dose's product before a row for any product."""
    rows = [
        row
        for row in policy.intervals
        if row.dose_number == dose_number
        and row.kind == kind
        and row.valid_from <= day
        and row.product in ("", previous_product)
        and _in_band(age, row.min_age, row.max_age)
    ]
    if not rows:
        return None
    return max(rows, key=lambda r: (r.product != "", r.valid_from))


# --- status ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextDose:
    dose_number: int | None = None
    kind: str = ""
    earliest: date | None = None
    recommended: date | None = None
    rule: Interval | None = None
    reason: str = ""  # when no dose is due: NONE_*


@dataclass(frozen=True)
class Status:
    status: str
    doses: int
    primary_complete_on: date | None = None
    fully_from: date | None = None
    next: NextDose = field(default_factory=NextDose)


def _primary_needed(doses: list[DoseFact], policy: Policy) -> int:
    first = next((d for d in doses if d.kind == PRIMARY), None)
    product = policy.product(first.product) if first else None
    return product.primary_doses if product else 2


def status_on(
    person: Person, doses: list[DoseFact], day: date, policy: Policy = BUILT_IN
) -> Status:
    """The person's vaccination status on `day`, from the doses given on or before it."""
    given = sorted(
        (d for d in doses if d.given_on <= day), key=lambda d: (d.given_on, d.dose_number)
    )
    if not given:
        return Status(NOT_VACCINATED, 0, next=_next_first(person, day, policy))
    needed = _primary_needed(given, policy)
    primary = sorted(
        {d.dose_number: d for d in given if d.kind == PRIMARY}.values(), key=lambda d: d.dose_number
    )
    complete = len(primary) >= needed
    completed_on = primary[needed - 1].given_on if complete else None
    fully_from = completed_on + timedelta(days=FULLY_AFTER_DAYS) if completed_on else None
    boosted = any(d.kind == BOOSTER for d in given)
    if complete and fully_from <= day:
        status = BOOSTED if boosted else FULLY
    else:
        status = PARTLY
    return Status(
        status,
        len(given),
        primary_complete_on=completed_on,
        fully_from=fully_from,
        next=_next_dose(person, given, day, policy, needed),
    )


def _next_first(person: Person, day: date, policy: Policy) -> NextDose:
    if eligible_products(person, day, policy) is None:
        return NextDose(reason=NONE_PRIMARY_NOT_OPEN)
    return NextDose(dose_number=1, kind=PRIMARY, earliest=day, recommended=day)


def _next_dose(person, given, day, policy, needed) -> NextDose:
    last = given[-1]
    numbers = {d.dose_number for d in given}
    number = max(numbers) + 1
    kind = PRIMARY if number <= needed else BOOSTER
    rule = interval_for(
        dose_number=number,
        kind=kind,
        previous_product=last.product,
        age=age_on(person, day),
        day=day,
        policy=policy,
    )
    if rule is None:
        # A row for this dose exists for another age or a later day: none for them yet.
        exists = any(r.dose_number == number and r.kind == kind for r in policy.intervals)
        return NextDose(reason=NONE_NO_FURTHER if exists else NONE_COMPLETE)
    return NextDose(
        dose_number=number,
        kind=kind,
        earliest=last.given_on + timedelta(days=rule.min_days),
        recommended=last.given_on + timedelta(days=rule.recommended_days),
        rule=rule,
    )


# --- checks on a recorded dose ----------------------------------------------------------------


def violations(
    person: Person, dose: DoseFact, others: list[DoseFact], policy: Policy = BUILT_IN
) -> list[str]:
    """Why `dose` should be reviewed, given the person's other doses (the dose is kept as
    recorded whatever this says)."""
    found = []
    if any(o.dose_number == dose.dose_number for o in others):
        found.append(SAME_DOSE_TWICE)
    age = age_on(person, dose.given_on)
    if dose.dose_number == 1 or dose.kind == PRIMARY:
        if not is_eligible(person, dose.product, dose.given_on, policy):
            found.append(AGE_NOT_ELIGIBLE)
    earlier = sorted(
        (o for o in others if o.dose_number < dose.dose_number), key=lambda o: o.dose_number
    )
    previous = earlier[-1] if earlier else None
    if dose.dose_number > 1 and (previous is None or previous.dose_number != dose.dose_number - 1):
        found.append(PREVIOUS_MISSING)
    if previous is not None:
        rule = interval_for(
            dose_number=dose.dose_number,
            kind=dose.kind,
            previous_product=previous.product,
            age=age,
            day=dose.given_on,
            policy=policy,
        )
        if rule is None and dose.kind == BOOSTER:
            found.append(AGE_NOT_ELIGIBLE)  # no booster rule for this age on that day
        elif rule is not None and dose.given_on < previous.given_on + timedelta(days=rule.min_days):
            found.append(INTERVAL_SHORT)
        if (
            dose.kind == PRIMARY
            and previous.kind == PRIMARY
            and previous.product != dose.product
            and not any(
                m.first == previous.product
                and m.then == dose.product
                and m.dose_number == dose.dose_number
                and m.valid_from <= dose.given_on
                and _in_band(age, m.min_age, None)
                for m in policy.mixes
            )
        ):
            found.append(MIX_NOT_LISTED)
    return found


def default_kind(dose_number: int, product: str, policy: Policy = BUILT_IN) -> str:
    found = policy.product(product)
    return PRIMARY if dose_number <= (found.primary_doses if found else 2) else BOOSTER


# --- campaigns: will a unit meet its target by the deadline at its current pace? -----------


@dataclass(frozen=True)
class Pace:
    done: int
    target: int
    projected: int  # doses by the end of the deadline day if the pace so far holds
    will_miss: bool | None  # None before the campaign's first day: no pace yet


def pace_projection(*, target: int, done: int, start: date, deadline: date, day: date) -> Pace:
    """`done` counts the doses from `start` to the end of `day`. The pace is done per day
    elapsed (the first day counts as one); the projection adds that pace for every day left
    after `day` up to the deadline. A unit on or above its target never misses; on or after
    the deadline day no days are left, so it misses exactly when it is below target."""
    if done >= target:
        return Pace(done, target, done, False)
    if day < start:
        return Pace(done, target, done, None)
    last = min(day, deadline)
    elapsed = (last - start).days + 1
    left = max((deadline - day).days, 0)
    projected = done + (done * left) // elapsed
    return Pace(done, target, projected, projected < target)
