"""The zone rules' numbers in force on a day, read from the province's policy rows
(`ClassRule`, `RuleValue`; /policy/zone-class-rules/, /policy/zone-rule-values/).

A row is in force on a day when it is active and its `valid_from` is the latest on or
before that day (per class, per rule). When no row is in force (none seeded yet, or every
row starts later), the built-in value of `rules.py` applies, shown with its source and as
unconfirmed, so a page never fails for want of a row. To stop giving a class from a day,
add a row from that day with no threshold filled in.
"""

from dataclasses import dataclass
from datetime import date

from . import rules
from .models import ClassRule, RuleValue

BUILT_IN_SOURCE = "Giá trị mặc định của hệ thống (thực tiễn 2021, chưa đối chiếu văn bản)"
_BUILT_IN_VALUES = {
    RuleValue.Key.LIFT_DAYS: (rules.LIFT_DAYS_WITHOUT_CASE, rules.LIFT_RULE_SOURCE),
    RuleValue.Key.FOOD_GAP_DAYS: (rules.FOOD_GAP_DAYS, BUILT_IN_SOURCE),
}


@dataclass(frozen=True)
class Value:
    value: int
    regulation: str
    confirmed: bool
    valid_from: date | None = None
    row_id: int | None = None


def value_in_force(key: str, day: date) -> Value:
    """One number of the zone rules on `day` (one query)."""
    row = (
        RuleValue.objects.filter(key=key, active=True, valid_from__lte=day)
        .order_by("-valid_from", "-pk")
        .first()
    )
    if row is None:
        value, source = _BUILT_IN_VALUES[key]
        return Value(value, source, False)
    return Value(row.value, row.regulation, row.confirmed, row.valid_from, row.pk)


def lift_days(day: date) -> Value:
    return value_in_force(RuleValue.Key.LIFT_DAYS, day)


def food_gap_days(day: date) -> Value:
    return value_in_force(RuleValue.Key.FOOD_GAP_DAYS, day)


def _as_rule(row: ClassRule) -> rules.ClassRule:
    return rules.ClassRule(
        risk_class=row.risk_class,
        window_days=row.window_days,
        min_cases=row.min_cases,
        min_cases_per_100k=row.min_cases_per_100k,
        min_positives=row.min_positives,
        min_clusters=row.min_clusters,
        min_clusters_no_source=row.min_clusters_no_source,
        regulation=row.regulation,
        confirmed=row.confirmed,
        valid_from=row.valid_from,
        row_id=row.pk,
    )


def class_rules_in_force(day: date) -> list[rules.ClassRule]:
    """Each class's thresholds on `day` (one query), highest class first."""
    chosen: dict[str, ClassRule] = {}
    for row in ClassRule.objects.filter(active=True, valid_from__lte=day).order_by(
        "-valid_from", "-pk"
    ):
        chosen.setdefault(row.risk_class, row)
    out = [
        _as_rule(chosen[r.risk_class]) if r.risk_class in chosen else r
        for r in rules.BUILT_IN_CLASS_RULES
    ]
    return sorted(out, key=lambda r: -rules.CLASS_RANK[r.risk_class])
