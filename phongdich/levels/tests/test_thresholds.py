"""The level thresholds are dated policy rows: the seed reproduces the regulations' values,
a change applies from its own date only, and the health department's page asks before
saving, bounds what it takes and audits the change."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from phongdich.audit.models import AuditEvent
from phongdich.levels import rules, thresholds
from phongdich.levels.models import LevelRule

pytestmark = pytest.mark.django_db

NOV = date(2021, 11, 1)


@pytest.mark.parametrize("day", [date(2021, 10, 12), date(2022, 1, 27)])
def test_the_seeded_rows_are_the_regulations_values(day):
    seeded = thresholds.rules_in_force(day)
    original = rules.rules_for(day)
    assert seeded == original  # bands (with labels), thresholds, matrix, sources and flags


def test_every_key_of_both_rule_sets_is_seeded_once():
    n = sum(len(rs.case_bands) + len(rs.thresholds) + len(rs.matrix) for rs in rules.RULE_SETS)
    assert LevelRule.objects.count() == n == 4 + 3 + 8 + 4 + 9 + 12


def _row(code, key):
    return LevelRule.objects.get(rules=code, key=key)


@pytest.mark.parametrize(
    "day, rate, level",
    [
        (date(2021, 10, 31), 22, 2),  # before the new value: 20 still applies
        (NOV, 22, 1),  # from its date: 22 is below the new 25
        (NOV, 24.9, 1),
        (NOV, 25, 2),
    ],
)
def test_a_changed_band_applies_from_its_date_only(staff, day, rate, level):
    thresholds.rule_change(
        by=staff.province_health_officer,
        row=_row("4800", "band.2"),
        valid_from=NOV,
        value=Decimal("25"),
        regulation="Công văn của Sở Y tế",
        confirmed=False,
    )
    rs = thresholds.rules_in_force(day)
    assert rules.case_level(rs, rate) == level


def test_a_changed_coverage_threshold_is_read_in_percent(staff):
    thresholds.rule_change(
        by=staff.province_admin,
        row=_row("4800", "adults_at_least_one"),
        valid_from=NOV,
        value=Decimal("75"),
        regulation="x",
        confirmed=True,
    )
    rs = thresholds.rules_in_force(NOV)
    assert rs.thresholds["adults_at_least_one"].value == pytest.approx(0.75)
    met = {"cases_per_100k": 5, "over_50_full": 0.9, "free_beds_per_100k": 9}
    assert rules.assess(rs, {**met, "adults_at_least_one": 0.749}).level == 2
    assert rules.assess(rs, {**met, "adults_at_least_one": 0.75}).level == 1


def test_a_changed_matrix_cell_and_its_flag(staff):
    thresholds.rule_change(
        by=staff.province_health_officer,
        row=_row("218", "cell.2.high"),
        valid_from=date(2022, 2, 1),
        level=2,
        regulation="218/QĐ-BYT",
        confirmed=True,
    )
    rs = thresholds.rules_in_force(date(2022, 2, 1))
    assert rs.matrix[(2, rules.HIGH)] == (2, True)
    assert thresholds.rules_in_force(date(2022, 1, 31)).matrix[(2, rules.HIGH)] == (1, False)


def test_a_deactivated_row_gives_back_the_earlier_value(staff):
    new = thresholds.rule_change(
        by=staff.province_health_officer,
        row=_row("218", "deaths_per_100k"),
        valid_from=date(2022, 3, 1),
        value=Decimal("8"),
        regulation="x",
        confirmed=False,
    )
    assert thresholds.rules_in_force(date(2022, 3, 2)).thresholds["deaths_per_100k"].value == 8
    LevelRule.objects.filter(pk=new.pk).update(active=False)
    assert thresholds.rules_in_force(date(2022, 3, 2)).thresholds["deaths_per_100k"].value == 6


@pytest.mark.parametrize(
    "key, value, level, message",
    [
        ("band.2", Decimal("50"), None, "nhỏ hơn ngưỡng của cấp 3"),  # = next band
        ("band.2", Decimal("49.999"), None, None),
        ("band.2", Decimal("0"), None, "lớn hơn ngưỡng của cấp 1"),
        ("band.1", Decimal("1"), None, "bắt đầu từ 0"),
        ("over_50_full", Decimal("100.001"), None, "0 đến 100"),
        ("over_50_full", Decimal("100"), None, None),
        ("free_beds_per_100k", Decimal("-1"), None, "không âm"),
        ("cell.1.met", None, 5, "từ 1 đến 4"),
        ("cell.1.met", None, 4, None),
    ],
)
def test_values_are_bounded(staff, key, value, level, message):
    call = lambda: thresholds.rule_change(  # noqa: E731
        by=staff.province_health_officer,
        row=_row("4800", key),
        valid_from=NOV,
        value=value,
        level=level,
        regulation="x",
        confirmed=False,
    )
    if message is None:
        call()
        return
    with pytest.raises(ValidationError) as exc:
        call()
    assert message in " ".join(exc.value.messages)


def test_the_date_must_follow_the_value_in_force_and_one_row_per_day(staff):
    row = _row("4800", "band.3")
    with pytest.raises(ValidationError, match="phải sau ngày 12/10/2021"):
        thresholds.rule_change(
            by=staff.province_health_officer,
            row=row,
            valid_from=row.valid_from,
            value=Decimal("60"),
            regulation="x",
            confirmed=False,
        )
    args = dict(row=row, valid_from=NOV, value=Decimal("60"), regulation="x", confirmed=False)
    thresholds.rule_change(by=staff.province_health_officer, **args)
    with pytest.raises(ValidationError, match="Đã có giá trị"):
        thresholds.rule_change(by=staff.province_health_officer, **args)


@pytest.mark.parametrize(
    "who", ["district_health_officer_a", "committee_member", "commune_worker_a"]
)
def test_only_the_provinces_health_department_and_admin_change_thresholds(staff, who):
    with pytest.raises(PermissionDenied):
        thresholds.rule_change(
            by=getattr(staff, who),
            row=_row("4800", "band.2"),
            valid_from=NOV,
            value=Decimal("25"),
            regulation="x",
            confirmed=False,
        )


def test_the_page_asks_first_then_saves_and_audits(client, staff):
    client.force_login(staff.province_health_officer)
    page = client.get("/levels/thresholds/")
    assert page.status_code == 200
    assert "4800/QĐ-BYT" in page.content.decode() and "chưa xác nhận" in page.content.decode()
    row = _row("4800", "band.2")
    form = {"value": "25", "valid_from": "01/11/2021", "regulation": "CV Sở Y tế"}
    refused = client.post(f"/levels/thresholds/{row.pk}/", form)
    assert refused.status_code == 400
    assert "Chưa xác nhận thao tác" in refused.content.decode()
    assert LevelRule.objects.filter(key="band.2", rules="4800").count() == 1
    done = client.post(f"/levels/thresholds/{row.pk}/", {**form, "confirmed": "1"})
    assert done.status_code == 302
    new = LevelRule.objects.get(key="band.2", rules="4800", valid_from=NOV)
    assert new.value == 25 and new.created_by == staff.province_health_officer
    event = AuditEvent.objects.get(action="levels.threshold")
    assert Decimal(event.changes["before"]["value"]) == 20
    assert Decimal(event.changes["after"]["value"]) == 25


def test_the_page_turns_away_bad_input_with_a_message(client, staff):
    client.force_login(staff.province_health_officer)
    row = _row("4800", "band.2")
    bad = client.post(
        f"/levels/thresholds/{row.pk}/",
        {"value": "abc", "valid_from": "31/02/2021", "regulation": "x" * 500, "confirmed": "1"},
    )
    assert bad.status_code == 400
    assert LevelRule.objects.filter(key="band.2", rules="4800").count() == 1


@pytest.mark.parametrize("who", ["district_health_officer_a", "committee_member"])
def test_the_page_is_for_the_province_health_department(client, staff, who):
    client.force_login(getattr(staff, who))
    assert client.get("/levels/thresholds/").status_code == 403
