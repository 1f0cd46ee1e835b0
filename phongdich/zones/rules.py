"""Pure rules of zones, each with its source.

Lifting a lockdown: local decisions of 2021 (Hà Nội, TP.HCM, Khánh Hòa, seed 004) lifted a
blockade once 14 days had passed without a new case inside it and a screening round after
the last case came back negative. RULES.md has no national text for it, so the numbers are
marked unconfirmed (the page shows the badge). The values the rules read are the province's
policy rows (`RuleValue`, `ClassRule`, on /policy/); the values here are the seeds of those
rows and the fallback when no row is in force on the day (thresholds.py).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

LIFT_DAYS_WITHOUT_CASE = 14
LIFT_RULE_SOURCE = "Quyết định của UBND cấp tỉnh (thực tiễn 2021)"
LIFT_RULE_CONFIRMED = False

# A household inside a zone with no delivery for this many days is a gap (seed 004 asks
# for the list; the number is the province's choice, unconfirmed).
FOOD_GAP_DAYS = 3

REASON_NOT_IN_FORCE = _("Vùng không ở trạng thái đang áp dụng.")
REASON_DAYS = _("Chưa đủ %(days)s ngày không có ca mắc mới (còn %(left)s ngày).")
REASON_NO_ROUND = _("Chưa có vòng xét nghiệm sàng lọc âm tính sau ca mắc cuối cùng.")


@dataclass(frozen=True)
class LiftCheck:
    may_lift: bool
    # The first day the 14 days are complete (None when the zone is not in force).
    days_complete_on: date | None
    reasons: list = field(default_factory=list)


def lifting(
    *,
    in_force: bool,
    started_on: date | None,
    last_case_on: date | None,
    last_negative_round_on: date | None,
    today: date,
    days: int = LIFT_DAYS_WITHOUT_CASE,
) -> LiftCheck:
    """Whether a zone may be lifted today. The count starts from the last case inside the
    zone, or from the day it took effect when none was recorded: a zone set up around a
    case is lifted `days` days after it at the earliest (day D + days), and only once a
    screening round strictly after that day was negative."""
    if not in_force or (started_on is None and last_case_on is None):
        return LiftCheck(False, None, [REASON_NOT_IN_FORCE])
    base = max(d for d in (started_on, last_case_on) if d is not None)
    complete_on = base + timedelta(days=days)
    reasons = []
    if today < complete_on:
        reasons.append(REASON_DAYS % {"days": days, "left": (complete_on - today).days})
    if last_negative_round_on is None or last_negative_round_on <= base:
        reasons.append(REASON_NO_ROUND)
    return LiftCheck(not reasons, complete_on, reasons)


DATA = "data"
TYPED = "typed"


@dataclass(frozen=True)
class LiftInputs:
    """The two dates the lifting rule reads and where each came from (DATA, TYPED, or ""
    when there is none)."""

    last_case_on: date | None
    last_case_from: str
    last_negative_round_on: date | None
    round_from: str


def lift_inputs(
    *,
    case_in_data: date | None,
    round_in_data: date | None,
    typed_case: date | None = None,
    typed_round: date | None = None,
    override_reason: str = "",
) -> LiftInputs:
    """The platform's own figures (the last case recorded in the zone's communes, the last
    closed round negative there) unless an officer typed a date with the reason for it; a
    typed date without a reason is never used."""
    override = bool(override_reason.strip())

    def pick(data, typed):
        if override and typed is not None:
            return typed, TYPED
        return data, (DATA if data is not None else "")

    case, case_from = pick(case_in_data, typed_case)
    round_, round_from = pick(round_in_data, typed_round)
    return LiftInputs(case, case_from, round_, round_from)


def food_gap(
    *, last_delivery_on: date | None, since: date, today: date, days: int = FOOD_GAP_DAYS
) -> int | None:
    """Days a household has gone without a delivery when that is `days` or more, else None.
    A household never served counts from `since` (it joined the plan or the zone began)."""
    start = last_delivery_on or since
    waited = (today - start).days
    return waited if waited >= days else None


def outstanding_portions(requests) -> int:
    """Portions still owed over (portions, delivered) pairs; an over-delivery owes nothing
    and never offsets another household's shortfall."""
    return sum(max(portions - delivered, 0) for portions, delivered in requests)


# A household's food link works while its zone is in force, and this many days after the
# zone ends (the last deliveries still get confirmed); the province's choice, unconfirmed.
HOUSEHOLD_LINK_GRACE_DAYS = 3
# The stored expiry of a link minted while the zone has no end date (lockdowns of 2021 ran
# weeks, not seasons); lifting the zone cuts it to the end plus the grace days.
HOUSEHOLD_LINK_DAYS = 90


def household_link_alive(
    *,
    zone_status: str,
    ended_on: date | None,
    today: date,
    grace_days: int = HOUSEHOLD_LINK_GRACE_DAYS,
) -> bool:
    """Whether a household's link still opens its page, judged on the zone (the link's own
    expiry and revocation are checked by lib.tokens): in force, or lifted no more than
    `grace_days` days ago. A proposed or rejected zone has no food plan to show."""
    if zone_status == "in_force":
        return True
    if zone_status == "lifted" and ended_on is not None:
        return today <= ended_on + timedelta(days=grace_days)
    return False


def household_match(*, by_phone: list[int], by_address: list[int]) -> tuple[int | None, str]:
    """The one household a 1022 food call belongs to, from the households of the caller's
    zones whose phone or folded address equals the call's: (household id, "") when exactly
    one household answers, else (None, why): "none" or "several" (the agent's words never
    pick one of two families)."""
    found = set(by_phone) | set(by_address)
    if len(found) == 1:
        return found.pop(), ""
    return None, ("several" if found else "none")


# --- risk classification (issue 14, seed 004) --------------------------------------------
# Quyết định 2686/QĐ-BCĐQG (31/5/2021) assesses a commune's risk as very high, high, risk or
# new normal by the cases in the community over 14 days (a press summary of it: "risk" when
# F0 with a known source exceed 1 per 100,000 people in 14 days; "new normal" with no case
# in the community). The text itself was not checked here, and the platform does not know
# a case's source, only a cluster's "source not found": every seed is unconfirmed.

GREEN = "green"
# From the lowest to the highest; an area's class is the highest whose rule it reaches.
CLASS_RANK = {GREEN: 0, "risk": 1, "high": 2, "very_high": 3}
CLASS_RULE_SOURCE = "Quyết định 2686/QĐ-BCĐQG ngày 31/5/2021 (chưa đối chiếu văn bản)"

# The figures a rule may set a threshold on, in the order reasons are given: (figure,
# threshold field of the rule).
CLASS_METRICS = (
    ("cases", "min_cases"),
    ("cases_per_100k", "min_cases_per_100k"),
    ("positives", "min_positives"),
    ("clusters", "min_clusters"),
    ("clusters_no_source", "min_clusters_no_source"),
)
METRIC_LABELS = {
    "cases": _("Ca mắc mới trong cộng đồng"),
    "cases_per_100k": _("Ca mắc mới trên 100.000 dân"),
    "positives": _("Mẫu dương tính qua xét nghiệm sàng lọc"),
    "clusters": _("Ổ dịch đang hoạt động"),
    "clusters_no_source": _("Ổ dịch chưa rõ nguồn lây"),
}


@dataclass(frozen=True)
class ClassRule:
    """A class's thresholds in force (a policy row, or a built-in seed when `row_id` is
    None). Any threshold set and reached gives the class."""

    risk_class: str
    window_days: int = 14
    min_cases: int | None = None
    min_cases_per_100k: Decimal | None = None
    min_positives: int | None = None
    min_clusters: int | None = None
    min_clusters_no_source: int | None = None
    regulation: str = CLASS_RULE_SOURCE
    confirmed: bool = False
    valid_from: date | None = None
    row_id: int | None = None


# The seeds (migration zones 0003) and the fallback of a class with no row in force.
BUILT_IN_CLASS_RULES = (
    # Any case in the community, or a positive screening sample, ends "new normal".
    ClassRule("risk", min_cases=1, min_positives=1),
    # An active cluster, or 50 cases per 100,000 people in 14 days.
    ClassRule("high", min_clusters=1, min_cases_per_100k=Decimal(50)),
    # A cluster whose source was not found, two clusters at once, or 200 per 100,000.
    ClassRule(
        "very_high", min_clusters=2, min_clusters_no_source=1, min_cases_per_100k=Decimal(200)
    ),
)


@dataclass(frozen=True)
class Figures:
    """An area's figures over one window (the days (day - window, day])."""

    cases: int = 0
    positives: int = 0
    clusters: int = 0
    clusters_no_source: int = 0
    population: int | None = None

    @property
    def cases_per_100k(self) -> Decimal | None:
        # No population recorded: no rate (the threshold is not checked, not "zero").
        if not self.population:
            return None
        return (Decimal(self.cases) * 100_000 / self.population).quantize(Decimal("0.01"))

    def __add__(self, other: "Figures") -> "Figures":
        population = (
            None
            if self.population is None or other.population is None
            else self.population + other.population
        )
        return Figures(
            self.cases + other.cases,
            self.positives + other.positives,
            self.clusters + other.clusters,
            self.clusters_no_source + other.clusters_no_source,
            population,
        )


@dataclass(frozen=True)
class Crossed:
    """One threshold reached: the figure, its value, the threshold and the rule."""

    metric: str
    value: int | Decimal
    threshold: int | Decimal
    rule: ClassRule


@dataclass(frozen=True)
class Classification:
    risk_class: str
    crossed: tuple = ()


def classify(figures_for, class_rules) -> Classification:
    """The highest class whose rule the area reaches, with every threshold of that rule it
    reached; green when it reaches none. `figures_for(window_days)` gives the area's
    figures over the rule's window (rules may count different windows). A value reaching
    the threshold (>=) reaches it."""
    for rule in sorted(class_rules, key=lambda r: -CLASS_RANK[r.risk_class]):
        figures = figures_for(rule.window_days)
        crossed = []
        for metric, threshold_field in CLASS_METRICS:
            threshold = getattr(rule, threshold_field)
            value = getattr(figures, metric)
            if threshold is not None and value is not None and value >= threshold:
                crossed.append(Crossed(metric, value, threshold, rule))
        if crossed:
            return Classification(rule.risk_class, tuple(crossed))
    return Classification(GREEN)


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def basis_of(classification: Classification, figures_for, class_rules, day: date) -> dict:
    """What a proposal stores of a classification (JSON): shown on its page as reasons."""
    windows = sorted({r.window_days for r in class_rules})
    return {
        "day": day.isoformat(),
        "risk_class": classification.risk_class,
        "figures": {
            str(w): {
                "cases": (f := figures_for(w)).cases,
                "cases_per_100k": _plain(f.cases_per_100k),
                "positives": f.positives,
                "clusters": f.clusters,
                "clusters_no_source": f.clusters_no_source,
                "population": f.population,
            }
            for w in windows
        },
        "crossed": [
            {
                "metric": c.metric,
                "value": _plain(c.value),
                "threshold": _plain(c.threshold),
                "risk_class": c.rule.risk_class,
                "window_days": c.rule.window_days,
                "rule_id": c.rule.row_id,
                "valid_from": c.rule.valid_from.isoformat() if c.rule.valid_from else None,
                "regulation": c.rule.regulation,
                "confirmed": c.rule.confirmed,
            }
            for c in classification.crossed
        ],
    }


REASON_CROSSED = _(
    "%(figure)s trong %(days)s ngày: %(value)s, đạt ngưỡng %(threshold)s của %(class)s"
)
REASON_NONE = _("Không đạt ngưỡng nào của các phân loại nguy cơ trong %(days)s ngày.")


def _number(value) -> str:
    text = str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def reasons(basis: dict, class_labels: dict) -> list[str]:
    """The reasons of a stored basis in the reader's language (the rule's source is shown
    beside each by the page); `class_labels` names the classes."""
    labels = class_labels
    out = []
    for c in basis.get("crossed", []):
        out.append(
            REASON_CROSSED
            % {
                "figure": METRIC_LABELS.get(c["metric"], c["metric"]),
                "days": c["window_days"],
                "value": _number(c["value"]),
                "threshold": _number(c["threshold"]),
                "class": str(labels.get(c["risk_class"], c["risk_class"])).lower(),
            }
        )
    if not out and basis:
        days = ", ".join(basis.get("figures", {}).keys()) or "14"
        out.append(REASON_NONE % {"days": days})
    return out
