"""Table-driven tests of the Ministry rules (RULES.md), with every boundary on both sides."""

from datetime import date, datetime, timedelta

import pytest

from phongdich.cases import rules
from phongdich.cases.rules import AgeGroup, Basis, LabEvidence, Vitals

T0 = datetime(2022, 2, 21, 8, 0)
ADULT = 40 * 12  # months
CHILD_3Y = 3 * 12
CHILD_8Y = 8 * 12


def pcr(positive=True, at=T0):
    return LabEvidence("pcr", positive, at)


def rat(at=T0, positive=True, supervised=True):
    return LabEvidence("rat", positive, at, supervised)


# --- 11042 classification -------------------------------------------------------------

CLASSIFICATION_CASES = [
    # (tests, is_f1, symptoms, link, expected basis)
    ([pcr()], False, False, False, Basis.PCR),
    ([pcr(), rat()], True, True, True, Basis.PCR),  # PCR wins over every other criterion
    ([pcr(positive=False)], True, True, True, Basis.TO_VERIFY),
    ([rat()], True, False, False, Basis.F1_RAT),
    ([rat()], False, True, True, Basis.SYMPTOMS_RAT_LINK),
    ([rat()], False, True, False, Basis.TO_VERIFY),  # symptoms without a link
    ([rat()], False, False, True, Basis.TO_VERIFY),  # one RAT and a link only
    ([rat(), rat(T0 + timedelta(hours=8))], False, False, True, Basis.TWO_RATS_LINK),
    ([rat(), rat(T0 + timedelta(hours=8, minutes=1))], False, False, True, Basis.TO_VERIFY),
    ([rat(), rat(T0 + timedelta(hours=3))], False, False, False, Basis.TO_VERIFY),  # no link
    ([rat(supervised=False)], True, True, True, Basis.TO_VERIFY),  # unsupervised self-test
    ([rat(positive=False)], True, True, True, Basis.TO_VERIFY),
    ([], True, True, True, Basis.TO_VERIFY),
]


@pytest.mark.parametrize("tests,is_f1,symptoms,link,expected", CLASSIFICATION_CASES)
def test_it_classifies_cases_by_11042(tests, is_f1, symptoms, link, expected):
    result = rules.classify_case(tests, is_f1=is_f1, has_symptoms=symptoms, has_epi_link=link)
    assert result.basis == expected
    assert result.confirmed == (expected != Basis.TO_VERIFY)
    assert result.reason


def test_it_says_what_is_missing_when_a_case_is_to_verify():
    result = rules.classify_case([rat()], has_symptoms=False, has_epi_link=False)
    assert "yếu tố dịch tễ" in result.reason
    assert "8 giờ" in result.reason


# --- age bands --------------------------------------------------------------------------

AGE_BANDS = [
    (None, AgeGroup.ADULT),
    (0, AgeGroup.INFANT_LT_2M),
    (1, AgeGroup.INFANT_LT_2M),
    (2, AgeGroup.INFANT_2_12M),
    (11, AgeGroup.INFANT_2_12M),
    (12, AgeGroup.CHILD_1_5),
    (59, AgeGroup.CHILD_1_5),
    (60, AgeGroup.CHILD_5_12),
    (143, AgeGroup.CHILD_5_12),
    (144, AgeGroup.ADULT),
]


@pytest.mark.parametrize("months,group", AGE_BANDS)
def test_it_puts_ages_in_the_528_bands(months, group):
    assert rules.age_group(months) == group


def test_it_counts_completed_months_of_age():
    on = date(2022, 3, 10)
    assert rules.age_in_months(on=on, birth_date=date(2022, 1, 10), birth_year=None) == 2
    assert rules.age_in_months(on=on, birth_date=date(2022, 1, 11), birth_year=None) == 1
    assert rules.age_in_months(on=on, birth_date=None, birth_year=1980) == 500
    assert rules.age_in_months(on=on, birth_date=None, birth_year=None) is None


# --- danger signs -----------------------------------------------------------------------

DANGER_CASES = [
    # (age in months, vitals, expected danger codes)
    (ADULT, Vitals(respiratory_rate=19), []),
    (ADULT, Vitals(respiratory_rate=20), ["respiratory_rate"]),
    (ADULT, Vitals(spo2=97), []),
    (ADULT, Vitals(spo2=96), ["spo2"]),
    (ADULT, Vitals(spo2=95), ["spo2"]),
    (ADULT, Vitals(pulse=50), []),
    (ADULT, Vitals(pulse=49), ["pulse"]),
    (ADULT, Vitals(pulse=120), []),
    (ADULT, Vitals(pulse=121), ["pulse"]),
    (ADULT, Vitals(bp_systolic=90, bp_diastolic=60), []),
    (ADULT, Vitals(bp_systolic=89, bp_diastolic=60), ["blood_pressure"]),
    (ADULT, Vitals(bp_systolic=90, bp_diastolic=59), ["blood_pressure"]),
    (ADULT, Vitals(temperature=39.5), []),  # fever alone is not an adult danger sign
    (ADULT, Vitals(symptoms=("cough", "fatigue")), []),
    (ADULT, Vitals(symptoms=("breathlessness",)), ["breathlessness"]),
    (ADULT, Vitals(symptoms=("chest_pain", "cyanosis")), ["chest_pain", "cyanosis"]),
    # children 1 to < 5 years: RR ≥ 40
    (CHILD_3Y, Vitals(respiratory_rate=39), []),
    (CHILD_3Y, Vitals(respiratory_rate=40), ["respiratory_rate"]),
    # children 5 to < 12 years: RR ≥ 30
    (CHILD_8Y, Vitals(respiratory_rate=29), []),
    (CHILD_8Y, Vitals(respiratory_rate=30), ["respiratory_rate"]),
    # infants (528): < 2 months ≥ 60, 2–12 months ≥ 50
    (1, Vitals(respiratory_rate=59), []),
    (1, Vitals(respiratory_rate=60), ["respiratory_rate"]),
    (6, Vitals(respiratory_rate=49), []),
    (6, Vitals(respiratory_rate=50), ["respiratory_rate"]),
    # children's SpO2 (528): < 96 — 96 itself is not a danger sign for a child
    (CHILD_3Y, Vitals(spo2=96), []),
    (CHILD_3Y, Vitals(spo2=95), ["spo2"]),
    # children's fever (528): > 39 °C
    (CHILD_3Y, Vitals(temperature=39.0), []),
    (CHILD_3Y, Vitals(temperature=39.1), ["fever"]),
    # adult pulse limits do not apply to children (a toddler's normal pulse is above 120)
    (CHILD_3Y, Vitals(pulse=130), []),
    (CHILD_3Y, Vitals(symptoms=("child_poor_feeding",)), ["child_poor_feeding"]),
    (ADULT, Vitals(), []),
]


@pytest.mark.parametrize("months,vitals,expected", DANGER_CASES)
def test_it_finds_danger_signs_by_age_group(months, vitals, expected):
    found = rules.danger_signs(vitals, age_months=months)
    assert [sign.code for sign in found] == expected
    assert all(sign.source.startswith("Quyết định") for sign in found)


# --- severity ---------------------------------------------------------------------------

SEVERITY_CASES = [
    (Vitals(), rules.Severity.ASYMPTOMATIC),
    (Vitals(spo2=98, respiratory_rate=16, symptoms=("cough",)), rules.Severity.MILD),
    (Vitals(spo2=97, respiratory_rate=19), rules.Severity.ASYMPTOMATIC),
    (Vitals(spo2=96, respiratory_rate=18), rules.Severity.MODERATE),
    (Vitals(spo2=98, respiratory_rate=20), rules.Severity.MODERATE),
    (Vitals(spo2=98, respiratory_rate=25), rules.Severity.MODERATE),
    (Vitals(spo2=98, respiratory_rate=26), rules.Severity.SEVERE),
    (Vitals(spo2=94, respiratory_rate=18), rules.Severity.MODERATE),
    (Vitals(spo2=93, respiratory_rate=18), rules.Severity.SEVERE),
    (Vitals(spo2=90, respiratory_rate=31), rules.Severity.CRITICAL),
]


@pytest.mark.parametrize("vitals,expected", SEVERITY_CASES)
def test_it_grades_severity_by_4689(vitals, expected):
    assert rules.severity(vitals) == expected


# --- home care eligibility ----------------------------------------------------------------


def eligibility(**overrides):
    values = dict(
        confirmed=True,
        vitals=Vitals(spo2=98, respiratory_rate=16, symptoms=("cough", "fatigue")),
        age_months=ADULT,
        has_comorbidity=False,
        comorbidity_stable=False,
        can_self_care_or_has_carer=True,
    )
    values.update(overrides)
    return rules.home_care_eligibility(**values)


ELIGIBILITY_CASES = [
    ({}, True),
    ({"confirmed": False}, False),
    ({"vitals": Vitals(spo2=97, respiratory_rate=19)}, True),
    ({"vitals": Vitals(spo2=96, respiratory_rate=16)}, False),
    ({"vitals": Vitals(spo2=98, respiratory_rate=20)}, False),
    ({"vitals": Vitals(spo2=98, symptoms=("breathlessness",))}, False),
    ({"has_comorbidity": True, "comorbidity_stable": True}, True),
    ({"has_comorbidity": True, "comorbidity_stable": False}, False),
    ({"can_self_care_or_has_carer": False}, False),
    # a 3-year-old breathing 30/min is within its age band (< 40)
    ({"age_months": CHILD_3Y, "vitals": Vitals(spo2=98, respiratory_rate=30)}, True),
]


@pytest.mark.parametrize("overrides,eligible", ELIGIBILITY_CASES)
def test_it_decides_home_care_eligibility_by_261(overrides, eligible):
    result = eligibility(**overrides)
    assert result.eligible is eligible
    assert bool(result.reasons) is not eligible


# --- release dates ------------------------------------------------------------------------

START = date(2022, 2, 1)
RELEASE_CASES = [
    # (fully vaccinated, negative RAT dates, expected release date)
    (True, [], date(2022, 2, 11)),  # day 10
    (False, [], date(2022, 2, 15)),  # day 14
    (True, [date(2022, 2, 8)], date(2022, 2, 8)),  # negative on day 7
    (False, [date(2022, 2, 8)], date(2022, 2, 8)),
    (True, [date(2022, 2, 7)], date(2022, 2, 11)),  # day 6 is too early
    (False, [date(2022, 2, 7), date(2022, 2, 9)], date(2022, 2, 9)),
    (True, [date(2022, 2, 12)], date(2022, 2, 11)),  # after day 10 changes nothing
]


@pytest.mark.parametrize("vaccinated,negatives,expected", RELEASE_CASES)
def test_it_computes_release_dates_by_250(vaccinated, negatives, expected):
    release = rules.release_date(
        isolation_start=START, fully_vaccinated=vaccinated, negative_rat_dates=negatives
    )
    assert release.on == expected
    assert "250/QĐ-BYT" in release.basis


RISK_CASES = [
    (49, False, True, []),
    (50, False, True, ["age_50_plus"]),
    (None, True, False, ["comorbidity", "not_fully_vaccinated"]),
]


@pytest.mark.parametrize("age,comorbidity,vaccinated,expected", RISK_CASES)
def test_it_lists_queue_risk_factors(age, comorbidity, vaccinated, expected):
    assert (
        rules.risk_factors(age_years=age, has_comorbidity=comorbidity, fully_vaccinated=vaccinated)
        == expected
    )


def test_every_threshold_cites_a_dated_regulation():
    for name, row in rules.THRESHOLDS.items():
        assert "/QĐ-BYT" in row.source or "/BYT-DP" in row.source, name
        assert row.effective_from.year in (2021, 2022), name
