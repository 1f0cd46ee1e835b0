"""The epidemic level: both Ministry rule sets as dated, sourced policy data, and the pure
functions that turn a unit's weekly inputs into a level (RULES.md, "Epidemic level").

Every threshold and matrix cell carries its source and a `confirmed` flag. The unconfirmed
ones are shown as such wherever a level computed from them appears (`Outcome.unconfirmed`
lists them), so nobody reads a guessed cell as the Ministry's word.

- 4800/QĐ-BYT (12/10/2021, guiding Nghị quyết 128/NQ-CP 11/10/2021): criterion 1 new
  community cases /100k/week (14 days / 2), criterion 2 coverage (≥ 70 % of 18+ with one
  dose, ≥ 80 % of 50+ fully vaccinated; missing it raises the level), criterion 3 treatment
  capacity (if not met the level is not lowered).
- 218/QĐ-BYT (27/01/2022): a transmission level from cases, severe cases and deaths per
  100k per week, raised by one when coverage is missed, then matrix(transmission, response
  capacity).
"""

from dataclasses import dataclass, field
from datetime import date

LEVELS = (1, 2, 3, 4)
COLOURS = {1: "xanh", 2: "vàng", 3: "cam", 4: "đỏ"}
NAMES = {
    1: "Cấp 1 – nguy cơ thấp",
    2: "Cấp 2 – nguy cơ trung bình",
    3: "Cấp 3 – nguy cơ cao",
    4: "Cấp 4 – nguy cơ rất cao",
}

SRC_128 = "Nghị quyết 128/NQ-CP, 11/10/2021"
SRC_4800 = "4800/QĐ-BYT, 12/10/2021"
SRC_218 = "218/QĐ-BYT, 27/01/2022"


@dataclass(frozen=True)
class Threshold:
    key: str
    label: str
    value: float
    source: str
    confirmed: bool


@dataclass(frozen=True)
class Band:
    level: int
    lower: float  # inclusive (or exclusive when the rule says "above"), per 100k per week
    label: str
    source: str
    confirmed: bool


@dataclass(frozen=True)
class RuleSet:
    code: str  # stored on each assessment as its rule version
    title: str
    valid_from: date
    source: str
    case_window_days: int  # community cases counted over this many days, expressed per week
    case_bands: tuple[Band, ...]
    case_bands_exclusive: bool  # 218's top band is "above 600": 600 itself is not in it
    thresholds: dict[str, Threshold]
    # 4800: {(case level, coverage met): level}; 218: {(transmission, capacity): level}
    matrix: dict[tuple, tuple[int, bool]]  # cell -> (level, confirmed)


RULES_4800 = RuleSet(
    code="4800",
    title="Quyết định 4800/QĐ-BYT",
    valid_from=date(2021, 10, 12),
    source=SRC_4800,
    case_window_days=14,
    case_bands=(
        Band(1, 0, "< 20", SRC_4800, True),
        Band(2, 20, "20 – < 50", SRC_4800, True),
        Band(3, 50, "50 – < 150", SRC_4800, True),
        Band(4, 150, "≥ 150", SRC_4800, True),
    ),
    case_bands_exclusive=False,
    thresholds={
        "adults_at_least_one": Threshold(
            "adults_at_least_one", "Từ 18 tuổi tiêm ít nhất 1 mũi", 0.70, SRC_4800, True
        ),
        "over_50_full": Threshold(
            "over_50_full", "Từ 50 tuổi tiêm đủ liều cơ bản", 0.80, SRC_4800, True
        ),
        # "Treatment capacity met" is not defined as a number in what could be checked:
        # the province's choice of a floor of vacant COVID beds per 100k (unconfirmed).
        "free_beds_per_100k": Threshold(
            "free_beds_per_100k",
            "Giường điều trị COVID còn trống /100.000 dân",
            1,
            SRC_4800,
            False,
        ),
    },
    matrix={
        (1, True): (1, True),
        (1, False): (2, False),
        (2, True): (2, True),
        (2, False): (3, False),
        (3, True): (2, False),
        (3, False): (3, False),
        (4, True): (3, True),
        (4, False): (4, False),
    },
)

HIGH, MEDIUM, LOW = "high", "medium", "low"
# Result codes stored in an assessment's outcome; labels.py gives them their words.
MET, NOT_MET, MISSING, RAISED, NOT_RAISED = "met", "not_met", "missing", "raised", "not_raised"
# A figure the rule names without a threshold in the text that could be checked: shown
# beside the level, never moving it.
SHOWN = "shown"
CAPACITY_LABELS = {HIGH: "cao", MEDIUM: "trung bình", LOW: "thấp"}

RULES_218 = RuleSet(
    code="218",
    title="Quyết định 218/QĐ-BYT",
    valid_from=date(2022, 1, 27),
    source=SRC_218,
    case_window_days=7,
    case_bands=(
        Band(1, 0, "< 20", SRC_218, False),
        Band(2, 20, "20 – < 50", SRC_218, False),
        Band(3, 50, "50 – 600", SRC_218, False),
        Band(4, 600, "> 600", SRC_218, True),
    ),
    case_bands_exclusive=True,
    thresholds={
        "deaths_per_100k": Threshold(
            "deaths_per_100k",
            "Tử vong /100.000 dân/tuần (trên mức này: tăng 1 cấp)",
            6,
            SRC_218,
            True,
        ),
        "population_full": Threshold(
            "population_full", "Toàn dân tiêm đủ liều cơ bản", 0.75, SRC_218, True
        ),
        "high_risk_full": Threshold(
            "high_risk_full", "Người nguy cơ cao tiêm đủ liều cơ bản", 0.90, SRC_218, True
        ),
        # Response capacity high / medium / low: thresholds unconfirmed, province's choice.
        "capacity_high_beds": Threshold(
            "capacity_high_beds",
            "Năng lực cao: giường trống /100.000 dân từ",
            30,
            SRC_218,
            False,
        ),
        "capacity_medium_beds": Threshold(
            "capacity_medium_beds",
            "Năng lực trung bình: giường trống /100.000 dân từ",
            10,
            SRC_218,
            False,
        ),
        "capacity_icu": Threshold(
            "capacity_icu",
            "Giường hồi sức còn trống tối thiểu (năng lực cao)",
            1,
            SRC_218,
            False,
        ),
        # The commune's capacity to manage F0 at home, read as the care-team workload (F0
        # at home per commune health worker or care-team member): 218 names the criterion,
        # RULES.md gives no number, so these are the province's choice (unconfirmed).
        "capacity_high_home": Threshold(
            "capacity_high_home",
            "Năng lực cao: F0 tại nhà mỗi nhân viên trạm y tế, tổ chăm sóc tối đa",
            20,
            SRC_218,
            False,
        ),
        "capacity_medium_home": Threshold(
            "capacity_medium_home",
            "Năng lực trung bình: F0 tại nhà mỗi nhân viên trạm y tế, tổ chăm sóc tối đa",
            50,
            SRC_218,
            False,
        ),
        # New cases needing oxygen or ventilation: a transmission criterion of 218 whose
        # threshold RULES.md does not give (unconfirmed; province's choice, like deaths'
        # rule: above it the transmission level rises by one).
        "severe_per_100k": Threshold(
            "severe_per_100k",
            "Ca mới cần thở oxy, thở máy /100.000 dân/tuần (trên mức này: tăng 1 cấp)",
            10,
            SRC_218,
            False,
        ),
    },
    matrix={
        (1, HIGH): (1, False),
        (1, MEDIUM): (1, False),
        (1, LOW): (2, False),
        (2, HIGH): (1, False),
        (2, MEDIUM): (2, True),
        (2, LOW): (3, False),
        (3, HIGH): (2, True),
        (3, MEDIUM): (3, False),
        (3, LOW): (4, False),
        (4, HIGH): (3, False),
        (4, MEDIUM): (4, False),
        (4, LOW): (4, False),
    },
)

RULE_SETS = (RULES_4800, RULES_218)


def rules_for(
    day: date, code: str | None = None, starts: dict[str, date] | None = None
) -> RuleSet | None:
    """The rule set in force on `day` (or the one named); None before the first applied.
    `starts` gives each rule set's start day as the policy rows set it (thresholds.py);
    without it, the regulations' own dates (`valid_from`) are used."""
    if code:
        return next((r for r in RULE_SETS if r.code == code), None)
    found = None
    for rules in RULE_SETS:
        start = (starts or {}).get(rules.code, rules.valid_from)
        if day >= start and (found is None or start >= found[1]):
            found = (rules, start)
    return found[0] if found else None


def per_week(count: float | None, population: int | None, window_days: int) -> float | None:
    """A count over `window_days` expressed per 100,000 people per week."""
    if count is None or not population:
        return None
    return count / (window_days / 7) / population * 100_000


def case_level(rules: RuleSet, rate: float | None) -> int | None:
    if rate is None:
        return None
    level = 1
    for band in rules.case_bands:
        top = band is rules.case_bands[-1]
        passed = rate > band.lower if (top and rules.case_bands_exclusive) else rate >= band.lower
        if passed:
            level = band.level
    return level


def _beds_capacity(rules: RuleSet, free_beds_per_100k, free_icu):
    if free_beds_per_100k is None:
        return None
    t = rules.thresholds
    if (
        free_beds_per_100k >= t["capacity_high_beds"].value
        and (free_icu or 0) >= t["capacity_icu"].value
    ):
        return HIGH
    if free_beds_per_100k >= t["capacity_medium_beds"].value:
        return MEDIUM
    return LOW


def home_capacity(rules: RuleSet, home_f0_per_staff: float | None):
    """The commune's capacity to manage F0 at home from the care-team workload: high up to
    `capacity_high_home` F0 per staff member, medium up to `capacity_medium_home`, else low;
    None without a figure (no F0 figure, or no care staff registered)."""
    if home_f0_per_staff is None:
        return None
    t = rules.thresholds
    if home_f0_per_staff <= t["capacity_high_home"].value:
        return HIGH
    if home_f0_per_staff <= t["capacity_medium_home"].value:
        return MEDIUM
    return LOW


def capacity_218(
    rules: RuleSet,
    free_beds_per_100k: float | None,
    free_icu: int | None,
    home_f0_per_staff: float | None = None,
):
    """High / medium / low response capacity (unconfirmed thresholds): the weaker of the
    beds' rating and the home-care rating, of those the platform has a figure for; None
    without either."""
    found = [
        c
        for c in (
            _beds_capacity(rules, free_beds_per_100k, free_icu),
            home_capacity(rules, home_f0_per_staff),
        )
        if c is not None
    ]
    if not found:
        return None
    return max(found, key=(HIGH, MEDIUM, LOW).index)


@dataclass
class Criterion:
    key: str
    label: str
    value: object
    threshold: str
    result: str
    source: str
    confirmed: bool


@dataclass
class Outcome:
    level: int | None
    rules: str
    criteria: list[Criterion] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)  # what the level rests on unchecked
    missing: list[str] = field(default_factory=list)  # inputs the platform had no figure for

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "rules": self.rules,
            "criteria": [c.__dict__ for c in self.criteria],
            "unconfirmed": self.unconfirmed,
            "missing": self.missing,
        }


def _share(value):
    return None if value is None else round(value * 100, 1)


def assess(rules: RuleSet, inputs: dict, previous_level: int | None = None) -> Outcome:
    """The level for one unit from its inputs (the dict `Assessment.inputs` stores):
    cases_per_100k, deaths_per_100k, coverage shares (0–1), free_beds_per_100k, free_icu."""
    if rules.code == "4800":
        return _assess_4800(rules, inputs, previous_level)
    return _assess_218(rules, inputs)


# The threshold texts of a rule set, formatted once per RuleSet object rather than for every
# unit and day (the history backfill assesses 200,000 of them). The entry holds the rule set
# itself, so its id cannot be reused while cached.
_TEXTS: dict[int, tuple[RuleSet, dict]] = {}


def _texts(rules: RuleSet) -> dict:
    hit = _TEXTS.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    texts = {"bands": " · ".join(f"{b.level}: {b.label}" for b in rules.case_bands)}
    for key, t in rules.thresholds.items():
        texts["share", key] = f"≥ {t.value * 100:g}%"
        texts["above", key] = f"> {t.value:g}"
        texts["from", key] = f"≥ {t.value:g}"
    if "capacity_high_home" in rules.thresholds:
        th, tm = rules.thresholds["capacity_high_home"], rules.thresholds["capacity_medium_home"]
        texts["home"] = f"≤ {th.value:g} / ≤ {tm.value:g}"
        texts["capacity"] = (
            f"≥ {rules.thresholds['capacity_high_beds'].value:g} / "
            f"≥ {rules.thresholds['capacity_medium_beds'].value:g}"
        )
    if len(_TEXTS) > 256:
        _TEXTS.clear()
    _TEXTS[id(rules)] = (rules, texts)
    return texts


def _case_criterion(rules, rate, out: Outcome) -> int | None:
    level = case_level(rules, rate)
    band = next((b for b in rules.case_bands if b.level == level), None)
    out.criteria.append(
        Criterion(
            "cases",
            "F0 mới trong cộng đồng /100.000 dân/tuần",
            None if rate is None else round(rate, 2),
            _texts(rules)["bands"],
            f"level_{level}" if level else MISSING,
            rules.source,
            band.confirmed if band else True,
        )
    )
    if band is not None and not band.confirmed:
        out.unconfirmed.append(f"band:{band.label}")
    if rate is None:
        out.missing.append("cases_per_100k")
    return level


def _coverage(rules, inputs, keys, out: Outcome) -> bool | None:
    met = True
    texts = _texts(rules)
    for key in keys:
        t = rules.thresholds[key]
        value = inputs.get(key)
        if value is None:
            out.missing.append(key)
            met = None if met is not False else False
            result = MISSING
        else:
            ok = value >= t.value
            result = MET if ok else NOT_MET
            if not ok:
                met = False
        out.criteria.append(
            Criterion(
                key, t.label, _share(value), texts["share", key], result, t.source, t.confirmed
            )
        )
    return met


def _cell(rules, key, out: Outcome) -> int:
    level, confirmed = rules.matrix[key]
    if not confirmed:
        out.unconfirmed.append(f"cell:{key[0]}:{key[1]}")
    return level


def _assess_4800(rules, inputs, previous_level) -> Outcome:
    out = Outcome(None, rules.code)
    level = _case_criterion(rules, inputs.get("cases_per_100k"), out)
    met = _coverage(rules, inputs, ("adults_at_least_one", "over_50_full"), out)
    beds = inputs.get("free_beds_per_100k")
    t = rules.thresholds["free_beds_per_100k"]
    capacity_met = None if beds is None else beds >= t.value
    out.criteria.append(
        Criterion(
            "free_beds_per_100k",
            t.label,
            None if beds is None else round(beds, 2),
            _texts(rules)["from", "free_beds_per_100k"],
            {None: MISSING, True: MET, False: NOT_MET}[capacity_met],
            t.source,
            t.confirmed,
        )
    )
    if level is None:
        return out
    # Without coverage figures the level cannot be lowered by coverage: read it as not met.
    result = _cell(rules, (level, bool(met)), out)
    if capacity_met is False and previous_level and result < previous_level:
        result = previous_level
        out.unconfirmed.append("criterion_3")
    out.level = result
    return out


def _assess_218(rules, inputs) -> Outcome:
    out = Outcome(None, rules.code)
    transmission = _case_criterion(rules, inputs.get("cases_per_100k"), out)
    deaths = inputs.get("deaths_per_100k")
    t = rules.thresholds["deaths_per_100k"]
    deaths_up = deaths is not None and deaths > t.value
    out.criteria.append(
        Criterion(
            "deaths_per_100k",
            t.label,
            None if deaths is None else round(deaths, 2),
            _texts(rules)["above", "deaths_per_100k"],
            RAISED if deaths_up else NOT_RAISED,
            t.source,
            t.confirmed,
        )
    )
    # New cases needing oxygen or ventilation: above the (unconfirmed) threshold the
    # transmission level rises by one, as for deaths.
    severe = inputs.get("severe_per_100k")
    ts = rules.thresholds["severe_per_100k"]
    severe_up = severe is not None and severe > ts.value
    if severe is None:
        out.missing.append("severe_per_100k")
    out.criteria.append(
        Criterion(
            "severe_per_100k",
            ts.label,
            None if severe is None else round(severe, 2),
            _texts(rules)["above", "severe_per_100k"],
            MISSING if severe is None else (RAISED if severe_up else NOT_RAISED),
            ts.source,
            ts.confirmed,
        )
    )
    if severe_up and not ts.confirmed:
        out.unconfirmed.append("severe")
    met = _coverage(rules, inputs, ("population_full", "high_risk_full"), out)
    home = inputs.get("home_f0_per_staff")
    th, tm = rules.thresholds["capacity_high_home"], rules.thresholds["capacity_medium_home"]
    out.criteria.append(
        Criterion(
            "home_care",
            "Năng lực quản lý F0 tại nhà (F0 tại nhà mỗi nhân viên y tế xã, tổ chăm sóc)",
            None if home is None else round(home, 2),
            _texts(rules)["home"],
            home_capacity(rules, home) or MISSING,
            th.source,
            th.confirmed and tm.confirmed,
        )
    )
    capacity = capacity_218(rules, inputs.get("free_beds_per_100k"), inputs.get("free_icu"), home)
    out.criteria.append(
        Criterion(
            "capacity",
            "Năng lực đáp ứng (giường trống /100.000 dân, hồi sức)",
            None
            if inputs.get("free_beds_per_100k") is None
            else round(inputs["free_beds_per_100k"], 2),
            _texts(rules)["capacity"],
            capacity or MISSING,
            rules.source,
            False,
        )
    )
    if transmission is None:
        return out
    if deaths_up:
        transmission = min(transmission + 1, 4)
    if severe_up:
        transmission = min(transmission + 1, 4)
    if not met:
        transmission = min(transmission + 1, 4)
    if capacity is None:
        out.missing.append("free_beds_per_100k")
        capacity = MEDIUM  # no figure: neither credited nor penalised
    out.unconfirmed.append("capacity")
    out.level = _cell(rules, (transmission, capacity), out)
    return out


# The measures that apply at each level, shown next to the level (Nghị quyết 128/NQ-CP
# appendix, summarised; the wording is the province's summary, not the regulation's text).
MEASURES_SOURCE = f"{SRC_128} (tóm tắt, chưa đối chiếu nguyên văn)"
MEASURES = {
    1: "Hoạt động bình thường, tuân thủ 5K, xét nghiệm theo yêu cầu phòng chống dịch.",
    2: "Hạn chế tụ tập đông người; một số dịch vụ hoạt động có điều kiện.",
    3: "Hạn chế đi lại và tụ tập; nhiều dịch vụ tạm dừng; xét nghiệm diện rộng khi cần.",
    4: "Hạn chế tối đa đi lại, chỉ hoạt động thiết yếu; cách ly y tế vùng có dịch.",
}
