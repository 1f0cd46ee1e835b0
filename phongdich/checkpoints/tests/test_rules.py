from datetime import date

import pytest

from phongdich.checkpoints import rules
from phongdich.checkpoints.rules import Facts, quarantine_plan, suggest_decision

# (arrival day, doses, recovered on, last exposure) ->
# (policy key, centralised, home, monitoring, quarantine end, monitoring end, test dates)
DURATIONS = [
    (date(2021, 6, 1), 2, None, None, None),  # before the first row: no policy
    (
        date(2021, 8, 10),
        2,
        None,
        None,
        ("2021-mid", 14, 0, 14, date(2021, 8, 23), date(2021, 9, 6), ()),
    ),
    (
        date(2021, 12, 20),
        2,
        None,
        None,
        (
            "2021-12-16-10696",
            0,
            7,
            7,
            date(2021, 12, 26),
            date(2022, 1, 2),
            (date(2021, 12, 20), date(2021, 12, 26)),
        ),
    ),
    (  # recovered 5 months ago counts under 10696 (≤ 6 months)
        date(2021, 12, 20),
        0,
        date(2021, 7, 20),
        None,
        (
            "2021-12-16-10696",
            0,
            7,
            7,
            date(2021, 12, 26),
            date(2022, 1, 2),
            (date(2021, 12, 20), date(2021, 12, 26)),
        ),
    ),
    (  # unvaccinated under 10696 keeps the earlier rule
        date(2021, 12, 20),
        1,
        None,
        None,
        ("2021-12-16-10696", 14, 0, 14, date(2022, 1, 2), date(2022, 1, 16), ()),
    ),
    (  # early 2022, two doses: 5 + 5, counted from the last exposure
        date(2022, 3, 10),
        2,
        None,
        date(2022, 3, 8),
        ("2022-early", 0, 5, 5, date(2022, 3, 12), date(2022, 3, 17), (date(2022, 3, 12),)),
    ),
    (  # early 2022, recovered 4 months ago does not count (≤ 3 months), one dose: 7 + 3
        date(2022, 3, 10),
        1,
        date(2021, 11, 10),
        None,
        ("2022-early", 0, 7, 3, date(2022, 3, 16), date(2022, 3, 19), (date(2022, 3, 16),)),
    ),
    (  # unknown vaccination is treated as not vaccinated
        date(2022, 3, 10),
        None,
        None,
        None,
        ("2022-early", 0, 7, 3, date(2022, 3, 16), date(2022, 3, 19), (date(2022, 3, 16),)),
    ),
    (  # 1909/BYT-DP: no quarantine at all
        date(2022, 4, 15),
        0,
        None,
        None,
        ("2022-04-15-1909", 0, 0, 0, date(2022, 4, 15), date(2022, 4, 15), ()),
    ),
]


@pytest.mark.parametrize("on,doses,recovered,exposure,expected", DURATIONS)
def test_it_gives_the_duration_of_the_policy_in_force(on, doses, recovered, exposure, expected):
    plan = quarantine_plan(on=on, doses=doses, recovered_on=recovered, last_exposure=exposure)
    if expected is None:
        assert plan is None
        return
    key, centralised, home, monitoring, end, monitoring_end, tests = expected
    assert plan.policy.key == key
    assert (plan.centralised_days, plan.home_days, plan.monitoring_days) == (
        centralised,
        home,
        monitoring,
    )
    assert plan.quarantine_end == end
    assert plan.monitoring_end == monitoring_end
    assert plan.test_dates == tests


def test_it_marks_unconfirmed_rows_and_cites_every_source():
    keys = {p.key: p for p in rules.QUARANTINE_POLICIES}
    assert keys["2022-early"].unconfirmed and keys["2021-mid"].unconfirmed
    assert not keys["2021-12-16-10696"].unconfirmed
    assert all(p.source for p in rules.QUARANTINE_POLICIES)
    assert "10696/BYT-MT" in keys["2021-12-16-10696"].source
    assert "1909/BYT-DP" in keys["2022-04-15-1909"].source


def test_it_does_not_count_a_future_exposure():
    plan = quarantine_plan(on=date(2022, 3, 10), doses=3, last_exposure=date(2022, 3, 12))
    assert plan.start == date(2022, 3, 10)


DECISIONS = [
    (Facts(), rules.LET_THROUGH, "default"),
    (Facts(test_result="positive", test_age_hours=5), rules.CENTRALISED, "positive_test"),
    (Facts(symptoms=True, area_level=2), rules.CENTRALISED, "symptoms_from_area"),
    (Facts(temperature=38.2, area_level=3), rules.CENTRALISED, "symptoms_from_area"),
    (Facts(temperature=37.4, area_level=1, doses=2), rules.LET_THROUGH, "default"),
    (Facts(destination_in_province=False, area_level=4), rules.TRANSIT, "passing_through"),
    (Facts(destination_in_province=False, symptoms=True), rules.TRANSIT, "passing_through"),
    (Facts(symptoms=True), rules.HANDOVER, "symptoms"),
    (Facts(area_level=4, doses=0), rules.CENTRALISED, "very_high_area_unvaccinated"),
    (Facts(area_level=4, doses=None), rules.CENTRALISED, "very_high_area_unvaccinated"),
    (
        Facts(area_level=4, doses=1, test_result="negative", test_age_hours=24),
        rules.HANDOVER,
        "area_unvaccinated",
    ),
    (Facts(area_level=4, doses=2), rules.HANDOVER, "area_without_test"),
    (
        Facts(area_level=3, doses=2, test_result="negative", test_age_hours=80),
        rules.HANDOVER,
        "area_without_test",
    ),
    (
        Facts(area_level=3, doses=2, test_result="negative", test_age_hours=48),
        rules.LET_THROUGH,
        "default",
    ),
    (Facts(area_level=2, doses=1), rules.HANDOVER, "area_unvaccinated"),
    (Facts(area_level=2, doses=3), rules.LET_THROUGH, "default"),
]


@pytest.mark.parametrize("facts,decision,rule_key", DECISIONS)
def test_it_suggests_the_first_matching_rule_row(facts, decision, rule_key):
    suggestion = suggest_decision(facts)
    assert (suggestion.decision, suggestion.rule.key) == (decision, rule_key)
    assert suggestion.reasons


def test_it_follows_a_configured_table():
    table = (
        rules.DecisionRule("everyone_home", rules.HANDOVER, "test", min_area_level=1),
        rules.DecisionRule("default", rules.LET_THROUGH, "ok"),
    )
    assert suggest_decision(Facts(area_level=1, doses=3), table).decision == rules.HANDOVER
    assert suggest_decision(Facts(), ()).decision == rules.LET_THROUGH


@pytest.mark.parametrize(
    "temperature,symptoms,attention",
    [
        (None, [], False),
        (37.4, ["cough"], False),
        (37.5, [], True),
        (None, ["breathless"], True),
        (36.5, ["fatigue", "fever"], True),
    ],
)
def test_it_flags_a_daily_check_that_needs_attention(temperature, symptoms, attention):
    assert rules.check_needs_attention(temperature=temperature, symptoms=symptoms) is attention
