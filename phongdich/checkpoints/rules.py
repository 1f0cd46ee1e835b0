"""Checkpoint rules: quarantine policy by date, and the decision suggested at a checkpoint.

Pure functions over plain values, no ORM. Every row names the document it comes from;
rows whose date or number could not be checked against the regulation's own text carry
`unconfirmed=True`, and the pages that use them say so (RULES.md).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

# --- Quarantine policy for people handed over from a checkpoint (F1 / returnees) -----------


@dataclass(frozen=True)
class PolicyGroup:
    """One branch of a policy: who it applies to and for how long."""

    label: str
    # Who: at least `min_doses` vaccine doses, or recovered from COVID within
    # `recovered_within_days` days. A group with neither applies to everyone left.
    min_doses: int | None = None
    recovered_within_days: int | None = None
    centralised_days: int = 0  # cách ly tập trung
    home_days: int = 0  # cách ly y tế tại nhà
    monitoring_days: int = 0  # tự theo dõi sức khỏe
    test_days: tuple[int, ...] = ()  # day numbers (day 1 = first day) with a test

    def applies(self, *, doses: int | None, recovered_days_ago: int | None) -> bool:
        if self.min_doses is None and self.recovered_within_days is None:
            return True
        if self.min_doses is not None and doses is not None and doses >= self.min_doses:
            return True
        return (
            self.recovered_within_days is not None
            and recovered_days_ago is not None
            and 0 <= recovered_days_ago <= self.recovered_within_days
        )


@dataclass(frozen=True)
class QuarantinePolicy:
    key: str
    valid_from: date
    source: str
    summary: str
    groups: tuple[PolicyGroup, ...]
    # "arrival" (the day the person arrives) or "last_exposure" (early 2022 guidance).
    counted_from: str = "arrival"
    unconfirmed: bool = False
    # Last day in force (inclusive); None: until the next row's date.
    valid_to: date | None = None


# The dated policy table (RULES.md, "F1 quarantine"). A row applies from its date until the
# next row's date (or its own end date). This tuple is the built-in default and the seed of
# `checkpoints.QuarantinePolicyRow`: the province edits the rows on its policy pages, and the
# services pass the active rows to the functions below.
QUARANTINE_POLICIES: tuple[QuarantinePolicy, ...] = (
    QuarantinePolicy(
        key="2021-mid",
        # "mid-2021": the exact start date is not in the sources we could check.
        valid_from=date(2021, 7, 1),
        source="Hướng dẫn của Bộ Y tế giữa năm 2021",
        summary="14 ngày cách ly tập trung, sau đó 14 ngày theo dõi tại nhà",
        groups=(PolicyGroup("Mọi người", centralised_days=14, monitoring_days=14),),
        unconfirmed=True,
    ),
    QuarantinePolicy(
        key="2021-12-16-10696",
        valid_from=date(2021, 12, 16),
        source="Công văn 10696/BYT-MT, 16/12/2021",
        summary=(
            "Tiêm đủ liều hoặc khỏi bệnh ≤ 6 tháng: 7 ngày cách ly tại nhà + 7 ngày tự theo "
            "dõi, xét nghiệm ngày 1 và ngày 7"
        ),
        groups=(
            PolicyGroup(
                "Tiêm đủ liều hoặc đã khỏi bệnh trong 6 tháng",
                min_doses=2,
                recovered_within_days=183,
                home_days=7,
                monitoring_days=7,
                test_days=(1, 7),
            ),
            # 10696 speaks only of the vaccinated/recovered; others keep the earlier rule.
            PolicyGroup(
                "Người còn lại (giữ quy định trước)", centralised_days=14, monitoring_days=14
            ),
        ),
    ),
    QuarantinePolicy(
        key="2022-early",
        # Early 2022 guidance; its number and exact date are unconfirmed (RULES.md).
        valid_from=date(2022, 2, 1),
        source="Hướng dẫn của Bộ Y tế đầu năm 2022",
        summary=(
            "Tiêm ≥ 2 mũi hoặc khỏi bệnh ≤ 3 tháng: 5 ngày + 5 ngày theo dõi (xét nghiệm "
            "ngày 5); người khác: 7 ngày + 3 ngày theo dõi (xét nghiệm ngày 7); tính từ lần "
            "tiếp xúc cuối"
        ),
        groups=(
            PolicyGroup(
                "Tiêm từ 2 mũi hoặc đã khỏi bệnh trong 3 tháng",
                min_doses=2,
                recovered_within_days=92,
                home_days=5,
                monitoring_days=5,
                test_days=(5,),
            ),
            PolicyGroup("Người còn lại", home_days=7, monitoring_days=3, test_days=(7,)),
        ),
        counted_from="last_exposure",
        unconfirmed=True,
    ),
    QuarantinePolicy(
        key="2022-04-15-1909",
        valid_from=date(2022, 4, 15),
        source="Công văn 1909/BYT-DP, 15/4/2022",
        summary="F1 không phải cách ly",
        groups=(PolicyGroup("Mọi người"),),
        unconfirmed=True,
    ),
)


def policy_on(day: date, policies: tuple[QuarantinePolicy, ...] = QUARANTINE_POLICIES):
    """The policy row in force on `day`: the latest row starting on or before it, unless that
    row's own end date has passed (a row never extends past the next row's start, so an
    ended row leaves a gap rather than bringing back an older one). None before the first
    row and in such a gap."""
    current = None
    for policy in sorted(policies, key=lambda p: p.valid_from):
        if policy.valid_from <= day:
            current = policy
    if current is not None and current.valid_to is not None and day > current.valid_to:
        return None
    return current


def policy_by_key(
    key: str, policies: tuple[QuarantinePolicy, ...] = QUARANTINE_POLICIES
) -> QuarantinePolicy | None:
    return next((p for p in policies if p.key == key), None)


@dataclass(frozen=True)
class QuarantinePlan:
    policy: QuarantinePolicy
    group: PolicyGroup
    start: date
    centralised_days: int
    home_days: int
    monitoring_days: int
    test_dates: tuple[date, ...]

    @property
    def quarantine_days(self) -> int:
        return self.centralised_days + self.home_days

    @property
    def quarantine_end(self) -> date:
        """Last day of quarantine (inclusive); the start day itself when there is none."""
        return self.start + timedelta(days=max(self.quarantine_days - 1, 0))

    @property
    def monitoring_end(self) -> date:
        return self.start + timedelta(days=max(self.quarantine_days + self.monitoring_days - 1, 0))

    @property
    def needs_quarantine(self) -> bool:
        return self.quarantine_days > 0


def quarantine_plan(
    *,
    on: date,
    doses: int | None = None,
    recovered_on: date | None = None,
    last_exposure: date | None = None,
    policies: tuple[QuarantinePolicy, ...] = QUARANTINE_POLICIES,
) -> QuarantinePlan | None:
    """Durations for a person arriving (or handed over) on `on` under the policy of that day.

    Day 1 is the start day. Policies counted from the last exposure start there when it is
    known and not after `on`.
    """
    policy = policy_on(on, policies)
    if policy is None:
        return None
    recovered_days_ago = (on - recovered_on).days if recovered_on else None
    group = next(
        (g for g in policy.groups if g.applies(doses=doses, recovered_days_ago=recovered_days_ago)),
        None,
    )
    if group is None:  # an edited row without a group for everyone left
        return None
    start = on
    if policy.counted_from == "last_exposure" and last_exposure and last_exposure <= on:
        start = last_exposure
    return QuarantinePlan(
        policy=policy,
        group=group,
        start=start,
        centralised_days=group.centralised_days,
        home_days=group.home_days,
        monitoring_days=group.monitoring_days,
        test_dates=tuple(start + timedelta(days=d - 1) for d in group.test_days),
    )


# --- Decision suggested at the checkpoint ---------------------------------------------------

LET_THROUGH = "let_through"
TRANSIT = "transit"
HANDOVER = "handover"
CENTRALISED = "centralised"
DECISIONS = (LET_THROUGH, TRANSIT, HANDOVER, CENTRALISED)

FEVER_CELSIUS = 37.5


@dataclass(frozen=True)
class Facts:
    """What the officer knows about one traveller, as plain values."""

    area_level: int | None = None  # highest level of a listed epidemic area of origin
    symptoms: bool = False
    temperature: float | None = None
    test_result: str = ""  # "negative", "positive" or "" (none)
    test_age_hours: float | None = None
    doses: int | None = None  # None: unknown
    destination_in_province: bool = True


@dataclass(frozen=True)
class DecisionRule:
    """One row: every condition that is set must hold; the first matching row wins."""

    key: str
    decision: str
    reason: str
    symptoms_or_fever: bool | None = None
    test_positive: bool | None = None
    destination_in_province: bool | None = None
    min_area_level: int | None = None
    # The row holds only when there is no negative test younger than this many hours.
    without_negative_test_within_hours: int | None = None
    max_doses: int | None = None  # holds when doses unknown or below or equal to this

    def matches(self, facts: Facts) -> bool:
        fever = facts.temperature is not None and facts.temperature >= FEVER_CELSIUS
        if (
            self.symptoms_or_fever is not None
            and (facts.symptoms or fever) != self.symptoms_or_fever
        ):
            return False
        if self.test_positive is not None and (
            (facts.test_result == "positive") != self.test_positive
        ):
            return False
        if (
            self.destination_in_province is not None
            and facts.destination_in_province != self.destination_in_province
        ):
            return False
        if self.min_area_level is not None and (
            facts.area_level is None or facts.area_level < self.min_area_level
        ):
            return False
        if self.without_negative_test_within_hours is not None:
            fresh_negative = (
                facts.test_result == "negative"
                and facts.test_age_hours is not None
                and facts.test_age_hours <= self.without_negative_test_within_hours
            )
            if fresh_negative:
                return False
        return not (
            self.max_doses is not None and facts.doses is not None and facts.doses > self.max_doses
        )


# Checkpoint practice of the provinces whose directives we read (hand-over of returnees to
# their districts, escort of people passing through). The Ministry set no national table for
# this: it is the province's own configuration and is shown as such (unconfirmed). The
# source names only the issuer: what is unchecked is said by the page's badge, never inside
# a citation that may be printed.
DECISION_RULES_SOURCE = "Cấu hình của Ban Chỉ đạo tỉnh"
DECISION_RULES: tuple[DecisionRule, ...] = (
    DecisionRule(
        "positive_test",
        CENTRALISED,
        "Có kết quả xét nghiệm dương tính",
        test_positive=True,
    ),
    DecisionRule(
        "symptoms_from_area",
        CENTRALISED,
        "Có triệu chứng/sốt và đến từ vùng dịch",
        symptoms_or_fever=True,
        min_area_level=1,
    ),
    DecisionRule(
        "passing_through",
        TRANSIT,
        "Điểm đến ngoài tỉnh: đi qua có dẫn đường",
        destination_in_province=False,
    ),
    DecisionRule(
        "symptoms",
        HANDOVER,
        "Có triệu chứng/sốt: bàn giao xã để theo dõi, xét nghiệm",
        symptoms_or_fever=True,
    ),
    DecisionRule(
        "very_high_area_unvaccinated",
        CENTRALISED,
        "Từ vùng dịch cấp 4, chưa tiêm đủ, không có xét nghiệm âm tính trong 72 giờ",
        min_area_level=4,
        max_doses=1,
        without_negative_test_within_hours=72,
    ),
    DecisionRule(
        "area_without_test",
        HANDOVER,
        "Từ vùng dịch cấp 3 trở lên, không có xét nghiệm âm tính trong 72 giờ",
        min_area_level=3,
        without_negative_test_within_hours=72,
    ),
    DecisionRule(
        "area_unvaccinated",
        HANDOVER,
        "Từ vùng dịch, chưa tiêm đủ liều",
        min_area_level=1,
        max_doses=1,
    ),
    DecisionRule("default", LET_THROUGH, "Không có yếu tố nguy cơ"),
)


@dataclass(frozen=True)
class Suggestion:
    decision: str
    rule: DecisionRule
    reasons: tuple[str, ...] = field(default_factory=tuple)


def suggest_decision(facts: Facts, rules: tuple[DecisionRule, ...] = DECISION_RULES) -> Suggestion:
    """First matching rule row decides; the reasons list what the officer should look at."""
    rule = next((r for r in rules if r.matches(facts)), None)
    if rule is None:  # a table without a default row lets the officer decide alone
        rule = DecisionRule("none", LET_THROUGH, "Không có quy tắc phù hợp")
    return Suggestion(rule.decision, rule, (rule.reason,))


# Daily check of a person in home quarantine: what makes the commune look at once.
ATTENTION_SYMPTOMS = frozenset({"fever", "breathless", "pneumonia"})


def check_needs_attention(*, temperature: float | None, symptoms) -> bool:
    fever = temperature is not None and temperature >= FEVER_CELSIUS
    return fever or bool(ATTENTION_SYMPTOMS & set(symptoms))
