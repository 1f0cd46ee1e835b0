"""Ministry of Health rules for F0 management, as pure functions (no ORM, no Django).

Every number an official may change lives in `THRESHOLDS`, one named and dated table that
cites the regulation it comes from (see ../shared/RULES.md). Functions read the table; no
threshold is written anywhere else.

Regulations used:
- Công văn 11042/BYT-DP, 29/12/2021: who is a case (F0).
- Quyết định 261/QĐ-BYT, 31/01/2022: home care of F0 (eligibility, monitoring, danger signs).
- Quyết định 528/QĐ-BYT, 03/3/2022: home care of children with COVID-19.
- Quyết định 250/QĐ-BYT, 28/01/2022 (kept in 261): end of isolation.
- Quyết định 4689/QĐ-BYT (and 250/QĐ-BYT for "không triệu chứng"): severity levels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# --- The table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    value: float
    source: str  # regulation number and date
    effective_from: date
    note: str = ""
    confirmed: bool = True  # False: RULES.md could not check it against the text


D_11042 = "Công văn 11042/BYT-DP, 29/12/2021"
D_261 = "Quyết định 261/QĐ-BYT, 31/01/2022"
D_528 = "Quyết định 528/QĐ-BYT, 03/3/2022"
D_250 = "Quyết định 250/QĐ-BYT, 28/01/2022"
D_4689 = "Quyết định 4689/QĐ-BYT, 06/10/2021"

THRESHOLDS: dict[str, Threshold] = {
    # 11042: the second of two positive RATs must come within this many hours of the first.
    "two_rat_window_hours": Threshold(8, D_11042, date(2021, 12, 29)),
    # 261 danger sign 2 (adults, and 261's own child bands) + 528 fast breathing (infants).
    "rr_danger_adult": Threshold(20, D_261, date(2022, 1, 31), "≥ 20/phút"),
    "rr_danger_child_5_12": Threshold(30, D_261, date(2022, 1, 31), "5 – < 12 tuổi: ≥ 30/phút"),
    "rr_danger_child_1_5": Threshold(40, D_528, date(2022, 3, 3), "1 – < 5 tuổi: ≥ 40/phút"),
    "rr_danger_infant_2_12m": Threshold(50, D_528, date(2022, 3, 3), "2 – 12 tháng: ≥ 50/phút"),
    "rr_danger_infant_lt_2m": Threshold(60, D_528, date(2022, 3, 3), "< 2 tháng: ≥ 60/phút"),
    # 261 danger sign 3: SpO2 ≤ 96 % (adults); 528: SpO2 < 96 % (children).
    "spo2_danger_adult_at_most": Threshold(96, D_261, date(2022, 1, 31), "SpO2 ≤ 96%"),
    "spo2_danger_child_below": Threshold(96, D_528, date(2022, 3, 3), "SpO2 < 96%"),
    # 261 danger sign 4: pulse > 120 or < 50 (adult values: children's normal pulse is higher).
    "pulse_danger_above": Threshold(120, D_261, date(2022, 1, 31), "> 120/phút"),
    "pulse_danger_below": Threshold(50, D_261, date(2022, 1, 31), "< 50/phút"),
    # 261 danger sign 5: systolic < 90 or diastolic < 60 mmHg.
    "bp_systolic_danger_below": Threshold(90, D_261, date(2022, 1, 31), "< 90 mmHg"),
    "bp_diastolic_danger_below": Threshold(60, D_261, date(2022, 1, 31), "< 60 mmHg"),
    # 528: fever > 39 °C in a child.
    "child_fever_danger_above": Threshold(39, D_528, date(2022, 3, 3), "> 39 °C"),
    # 261 home-care eligibility: RR < 20 and SpO2 > 96 at rest.
    "home_care_rr_below": Threshold(20, D_261, date(2022, 1, 31)),
    "home_care_spo2_above": Threshold(96, D_261, date(2022, 1, 31)),
    # 250 end of isolation: day 7 with a negative RAT, else 10 (fully vaccinated) / 14 days.
    "release_min_days_with_negative_rat": Threshold(7, D_250, date(2022, 1, 28)),
    "release_days_fully_vaccinated": Threshold(10, D_250, date(2022, 1, 28)),
    "release_days_not_fully_vaccinated": Threshold(14, D_250, date(2022, 1, 28)),
    # 4689 severity (adult): moderate RR 20–25 / SpO2 94–96; severe RR > 25 / SpO2 < 94.
    "severity_severe_rr_above": Threshold(25, D_4689, date(2021, 10, 6)),
    "severity_severe_spo2_below": Threshold(94, D_4689, date(2021, 10, 6)),
    "severity_critical_rr_above": Threshold(30, D_4689, date(2021, 10, 6), confirmed=False),
    "severity_critical_rr_below": Threshold(10, D_4689, date(2021, 10, 6), confirmed=False),
    # Risk ordering in the care-team queue (4038/261 treat ≥ 50 as higher risk).
    "risk_age_at_least": Threshold(50, D_261, date(2022, 1, 31)),
}


def threshold(name: str, table: Mapping[str, Threshold] | None = None) -> float:
    """The value of `name` in `table` (the province's rows, passed in by the services), or
    in the built-in THRESHOLDS when no table is given."""
    return (table or THRESHOLDS)[name].value


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- Vocabulary --------------------------------------------------------------------------

# 261 monitoring symptom checklist (keys are stable identifiers; labels live in the UI).
MONITORING_SYMPTOMS = (
    "fatigue",
    "cough",
    "sputum",
    "chills",
    "red_eyes",
    "loss_of_taste_smell",
    "diarrhoea",
    "coughing_blood",
    "breathlessness",
    "chest_pain",
    "drowsiness",
    "other",
)
# Extra signs asked about children (261 sign 1 and 9; 528).
CHILD_SIGNS = ("child_chest_indrawing", "child_poor_feeding")
# Danger signs 1, 6–8 of 261 that a symptom answer reveals ("drowsiness" = altered
# consciousness, "lơ mơ"); cyanosis is asked as its own checkbox.
DANGER_SYMPTOMS = (
    "breathlessness",
    "chest_pain",
    "drowsiness",
    "cyanosis",
    "child_chest_indrawing",
    "child_poor_feeding",
)
ALL_SYMPTOMS = MONITORING_SYMPTOMS + ("cyanosis",) + CHILD_SIGNS
# 261 home care: the mild symptoms that still allow home care.
MILD_SYMPTOMS = frozenset(
    {
        "fever",
        "cough",
        "sore_throat",
        "runny_nose",
        "fatigue",
        "headache",
        "muscle_pain",
        "diarrhoea",
        "loss_of_taste_smell",
        "sputum",
        "chills",
        "red_eyes",
    }
)


class AgeGroup:
    INFANT_LT_2M = "infant_lt_2m"
    INFANT_2_12M = "infant_2_12m"
    CHILD_1_5 = "child_1_5"
    CHILD_5_12 = "child_5_12"
    ADULT = "adult"  # 12 and over: 261's adult thresholds

    CHILDREN = (INFANT_LT_2M, INFANT_2_12M, CHILD_1_5, CHILD_5_12)


def age_in_months(*, on: date, birth_date: date | None, birth_year: int | None) -> int | None:
    """Completed months of age. With only a birth year we assume 1 July (mid-year), which is
    the usual demographic convention and at most six months off."""
    if birth_date is None and birth_year is None:
        return None
    born = birth_date or date(birth_year, 7, 1)
    months = (on.year - born.year) * 12 + (on.month - born.month)
    if on.day < born.day:
        months -= 1
    return max(months, 0)


def age_group(age_months: int | None) -> str:
    """The danger-sign age band. Unknown age uses adult thresholds: registrations of
    children without a birth date are rare and staff see the age missing on the case."""
    if age_months is None:
        return AgeGroup.ADULT
    if age_months < 2:
        return AgeGroup.INFANT_LT_2M
    if age_months < 12:  # 528: "2–12 months" — 12 months is already the 1–5 years band
        return AgeGroup.INFANT_2_12M
    if age_months < 60:
        return AgeGroup.CHILD_1_5
    if age_months < 144:
        return AgeGroup.CHILD_5_12
    return AgeGroup.ADULT


RR_THRESHOLD_BY_GROUP = {
    AgeGroup.INFANT_LT_2M: "rr_danger_infant_lt_2m",
    AgeGroup.INFANT_2_12M: "rr_danger_infant_2_12m",
    AgeGroup.CHILD_1_5: "rr_danger_child_1_5",
    AgeGroup.CHILD_5_12: "rr_danger_child_5_12",
    AgeGroup.ADULT: "rr_danger_adult",
}


# --- 11042: who is a case ----------------------------------------------------------------


class Basis:
    PCR = "pcr"
    F1_RAT = "f1_rat"
    SYMPTOMS_RAT_LINK = "symptoms_rat_link"
    TWO_RATS_LINK = "two_rats_link"
    TO_VERIFY = ""


@dataclass(frozen=True)
class LabEvidence:
    kind: str  # "pcr" or "rat"
    positive: bool
    taken_at: datetime
    # 11042: a RAT counts when done by health staff or self-performed under direct or remote
    # supervision; an unsupervised self-test alone makes the case "to verify".
    supervised: bool = True


@dataclass(frozen=True)
class Classification:
    basis: str  # one of Basis; "" = to verify
    reason: str  # why it is (or is not yet) a case, in words staff can act on

    @property
    def confirmed(self) -> bool:
        return self.basis != Basis.TO_VERIFY


def classify_case(
    tests: Iterable[LabEvidence],
    *,
    is_f1: bool = False,
    has_symptoms: bool = False,
    has_epi_link: bool = False,
    thresholds: Mapping[str, Threshold] | None = None,
) -> Classification:
    """Classify by 11042/BYT-DP; the first criterion met wins (PCR is the strongest)."""
    tests = list(tests)
    if any(t.kind == "pcr" and t.positive for t in tests):
        return Classification(Basis.PCR, "RT-PCR dương tính")
    rats = sorted((t for t in tests if t.kind == "rat" and t.positive), key=lambda t: t.taken_at)
    valid_rats = [t for t in rats if t.supervised]
    if not rats:
        return Classification(Basis.TO_VERIFY, "Chưa có kết quả xét nghiệm dương tính")
    if not valid_rats:
        return Classification(
            Basis.TO_VERIFY,
            "Test nhanh tự làm không có giám sát: cần nhân viên y tế xác nhận hoặc làm lại",
        )
    if is_f1:
        return Classification(Basis.F1_RAT, "F1 có test nhanh dương tính")
    if has_symptoms and has_epi_link:
        return Classification(
            Basis.SYMPTOMS_RAT_LINK, "Có triệu chứng, test nhanh dương tính và có yếu tố dịch tễ"
        )
    window = timedelta(hours=threshold("two_rat_window_hours", thresholds))
    hours = _number(threshold("two_rat_window_hours", thresholds))
    two_in_window = any(
        timedelta(0) <= later.taken_at - earlier.taken_at <= window
        for earlier, later in zip(valid_rats, valid_rats[1:], strict=False)
    )
    if two_in_window and has_epi_link:
        return Classification(
            Basis.TWO_RATS_LINK,
            f"Hai test nhanh dương tính trong {hours} giờ và có yếu tố dịch tễ",
        )
    missing = []
    if not has_epi_link:
        missing.append("yếu tố dịch tễ")
    if not two_in_window and not has_symptoms:
        missing.append(f"triệu chứng hoặc test nhanh thứ hai trong {hours} giờ")
    return Classification(
        Basis.TO_VERIFY, "Test nhanh dương tính nhưng thiếu: " + ", ".join(missing)
    )


# --- 261 / 528: danger signs -------------------------------------------------------------


@dataclass(frozen=True)
class Vitals:
    temperature: float | None = None
    spo2: int | None = None
    respiratory_rate: int | None = None
    pulse: int | None = None
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    symptoms: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class DangerSign:
    code: str
    text: str  # Vietnamese, shown to staff and to the F0
    source: str


def danger_signs(
    vitals: Vitals, *, age_months: int | None, thresholds: Mapping[str, Threshold] | None = None
) -> list[DangerSign]:
    """Danger signs present in one check (261 for adults, 528 for children)."""
    table = thresholds or THRESHOLDS

    def limit(name: str) -> str:
        return _number(threshold(name, thresholds))

    group = age_group(age_months)
    child = group in AgeGroup.CHILDREN
    found: list[DangerSign] = []

    rr_key = RR_THRESHOLD_BY_GROUP[group]
    if vitals.respiratory_rate is not None and vitals.respiratory_rate >= threshold(
        rr_key, thresholds
    ):
        found.append(
            DangerSign(
                "respiratory_rate",
                f"Nhịp thở {vitals.respiratory_rate}/phút ({table[rr_key].note})",
                table[rr_key].source,
            )
        )
    if vitals.spo2 is not None:
        if child and vitals.spo2 < threshold("spo2_danger_child_below", thresholds):
            found.append(
                DangerSign(
                    "spo2", f"SpO2 {vitals.spo2}% (< {limit('spo2_danger_child_below')}%)", D_528
                )
            )
        if not child and vitals.spo2 <= threshold("spo2_danger_adult_at_most", thresholds):
            found.append(
                DangerSign(
                    "spo2",
                    f"SpO2 {vitals.spo2}% (≤ {limit('spo2_danger_adult_at_most')}%)",
                    D_261,
                )
            )
    if not child and vitals.pulse is not None:
        if vitals.pulse > threshold("pulse_danger_above", thresholds):
            text = f"Mạch {vitals.pulse}/phút (> {limit('pulse_danger_above')})"
            found.append(DangerSign("pulse", text, D_261))
        elif vitals.pulse < threshold("pulse_danger_below", thresholds):
            text = f"Mạch {vitals.pulse}/phút (< {limit('pulse_danger_below')})"
            found.append(DangerSign("pulse", text, D_261))
    if not child:
        low_systolic = vitals.bp_systolic is not None and vitals.bp_systolic < threshold(
            "bp_systolic_danger_below", thresholds
        )
        low_diastolic = vitals.bp_diastolic is not None and vitals.bp_diastolic < threshold(
            "bp_diastolic_danger_below", thresholds
        )
        if low_systolic or low_diastolic:
            found.append(
                DangerSign(
                    "blood_pressure",
                    f"Huyết áp {vitals.bp_systolic or '?'}/{vitals.bp_diastolic or '?'} mmHg "
                    f"(tối đa < {limit('bp_systolic_danger_below')} hoặc tối thiểu < "
                    f"{limit('bp_diastolic_danger_below')})",
                    D_261,
                )
            )
    if (
        child
        and vitals.temperature is not None
        and vitals.temperature > threshold("child_fever_danger_above", thresholds)
    ):
        text = f"Sốt {vitals.temperature} °C (> {limit('child_fever_danger_above')} °C)"
        found.append(DangerSign("fever", text, D_528))
    texts = {
        "breathlessness": "Khó thở, thở hụt hơi",
        "chest_pain": "Đau tức ngực",
        "drowsiness": "Lơ mơ, không tỉnh táo",
        "cyanosis": "Tím môi, tím đầu chi",
        "child_chest_indrawing": "Trẻ thở rên, rút lõm lồng ngực, phập phồng cánh mũi",
        "child_poor_feeding": "Trẻ không uống được, bú kém",
    }
    for code in DANGER_SYMPTOMS:
        if code in vitals.symptoms:
            found.append(DangerSign(code, texts[code], D_528 if code in CHILD_SIGNS else D_261))
    return found


# --- 4689 / 250: severity ----------------------------------------------------------------


class Severity:
    ASYMPTOMATIC = "asymptomatic"  # không triệu chứng (250)
    MILD = "mild"  # nhẹ
    MODERATE = "moderate"  # trung bình
    SEVERE = "severe"  # nặng
    CRITICAL = "critical"  # nguy kịch (criteria unconfirmed)

    ORDER = (ASYMPTOMATIC, MILD, MODERATE, SEVERE, CRITICAL)


def severity(vitals: Vitals, *, thresholds: Mapping[str, Threshold] | None = None) -> str:
    """Adult severity from one set of vitals (4689; the "nguy kịch" cut-offs are unconfirmed
    and flagged as such in THRESHOLDS)."""
    rr, spo2 = vitals.respiratory_rate, vitals.spo2
    if rr is not None and (
        rr > threshold("severity_critical_rr_above", thresholds)
        or rr < threshold("severity_critical_rr_below", thresholds)
    ):
        return Severity.CRITICAL
    if (
        (rr is not None and rr > threshold("severity_severe_rr_above", thresholds))
        or (spo2 is not None and spo2 < threshold("severity_severe_spo2_below", thresholds))
        or "cyanosis" in vitals.symptoms
    ):
        return Severity.SEVERE
    if (rr is not None and rr >= threshold("rr_danger_adult", thresholds)) or (
        spo2 is not None and spo2 <= threshold("spo2_danger_adult_at_most", thresholds)
    ):
        return Severity.MODERATE
    if any(s for s in vitals.symptoms) or (vitals.temperature or 0) >= 37.5:
        return Severity.MILD
    return Severity.ASYMPTOMATIC


# --- 261: home-care eligibility ----------------------------------------------------------


# The reasons a case stores, in Vietnamese (the record's language); cases.labels reads a
# stored reason back into the reader's language with these same texts as msgids.
REASON_UNCONFIRMED = "Chưa được khẳng định bằng RT-PCR hoặc test nhanh theo 11042"
REASON_OTHER_SYMPTOMS = "Có triệu chứng ngoài nhóm nhẹ: %(symptoms)s"
REASON_RESPIRATORY_RATE = "Nhịp thở %(rate)s/phút (cần < %(limit)s)"
REASON_SPO2 = "SpO2 %(spo2)s%% (cần > %(limit)s%%)"
REASON_COMORBIDITY = "Bệnh nền chưa điều trị ổn định"
REASON_NO_CARER = "Không tự chăm sóc được và không có người chăm sóc"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]  # why not; empty when eligible


def home_care_eligibility(
    *,
    confirmed: bool,
    vitals: Vitals,
    age_months: int | None,
    has_comorbidity: bool,
    comorbidity_stable: bool,
    can_self_care_or_has_carer: bool,
    thresholds: Mapping[str, Threshold] | None = None,
) -> Eligibility:
    """Eligibility for home care under 261/QĐ-BYT, with every failed condition listed."""
    reasons = []
    if not confirmed:
        reasons.append(REASON_UNCONFIRMED)
    other = [s for s in vitals.symptoms if s not in MILD_SYMPTOMS]
    if other:
        reasons.append(REASON_OTHER_SYMPTOMS % {"symptoms": ", ".join(sorted(other))})
    group = age_group(age_months)
    rr_limit = (
        threshold("home_care_rr_below", thresholds)
        if group == AgeGroup.ADULT
        else threshold(RR_THRESHOLD_BY_GROUP[group], thresholds)
    )
    if vitals.respiratory_rate is not None and vitals.respiratory_rate >= rr_limit:
        reasons.append(
            REASON_RESPIRATORY_RATE % {"rate": vitals.respiratory_rate, "limit": int(rr_limit)}
        )
    if vitals.spo2 is not None and vitals.spo2 <= threshold("home_care_spo2_above", thresholds):
        spo2_limit = _number(threshold("home_care_spo2_above", thresholds))
        reasons.append(REASON_SPO2 % {"spo2": vitals.spo2, "limit": spo2_limit})
    if has_comorbidity and not comorbidity_stable:
        reasons.append(REASON_COMORBIDITY)
    if not can_self_care_or_has_carer:
        reasons.append(REASON_NO_CARER)
    return Eligibility(not reasons, tuple(reasons))


# --- 250: end of isolation ---------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    on: date
    basis: str


def release_date(
    *,
    isolation_start: date,
    fully_vaccinated: bool,
    negative_rat_dates: Iterable[date] = (),
    thresholds: Mapping[str, Threshold] | None = None,
) -> Release:
    """When isolation ends (250/QĐ-BYT). Day N is `isolation_start + N days`: a negative RAT
    taken on day 7 or later releases on the day of that test; otherwise isolation runs to day
    10 (fully vaccinated) or 14 (not), with no test needed."""
    long_days = threshold(
        "release_days_fully_vaccinated"
        if fully_vaccinated
        else "release_days_not_fully_vaccinated",
        thresholds,
    )
    long_date = isolation_start + timedelta(days=int(long_days))
    min_days = int(threshold("release_min_days_with_negative_rat", thresholds))
    earliest = isolation_start + timedelta(days=min_days)
    negatives = sorted(d for d in negative_rat_dates if earliest <= d < long_date)
    if negatives:
        return Release(negatives[0], RELEASE_NEGATIVE_RAT % {"days": min_days})
    if fully_vaccinated:
        return Release(long_date, RELEASE_VACCINATED % {"days": int(long_days)})
    return Release(long_date, RELEASE_NOT_VACCINATED % {"days": int(long_days)})


# The bases of a release date, in Vietnamese; cases.labels shows them in the reader's language.
RELEASE_NEGATIVE_RAT = "Ngày thứ %(days)d trở đi, test nhanh âm tính (250/QĐ-BYT)"
RELEASE_VACCINATED = "Đủ %(days)d ngày, đã tiêm đủ liều (250/QĐ-BYT)"
RELEASE_NOT_VACCINATED = "Đủ %(days)d ngày, chưa tiêm đủ liều (250/QĐ-BYT)"


# --- queue ordering ----------------------------------------------------------------------


def risk_factors(
    *,
    age_years: int | None,
    has_comorbidity: bool,
    fully_vaccinated: bool,
    thresholds: Mapping[str, Threshold] | None = None,
) -> list[str]:
    """Risk factors the care-team queue sorts by (age ≥ 50, comorbidity, not vaccinated)."""
    found = []
    if age_years is not None and age_years >= threshold("risk_age_at_least", thresholds):
        found.append("age_50_plus")
    if has_comorbidity:
        found.append("comorbidity")
    if not fully_vaccinated:
        found.append("not_fully_vaccinated")
    return found
