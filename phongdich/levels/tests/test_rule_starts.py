"""The day that switches 4800/QĐ-BYT to 218/QĐ-BYT is dated policy data with its source:
seeded from the regulations, read by every assessment, changed on the thresholds page
(asked first, bounded, audited), and the backfill follows the same switch."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from phongdich.audit.models import AuditEvent
from phongdich.levels import history, rules, services, thresholds
from phongdich.levels.models import Assessment, RuleSetStart

pytestmark = pytest.mark.django_db

SWITCH = date(2022, 1, 27)
MOVED = date(2022, 2, 10)


def test_each_rule_set_start_is_seeded_with_its_source():
    rows = {r.rules: r for r in RuleSetStart.objects.all()}
    assert {code: r.starts_on for code, r in rows.items()} == {
        "4800": date(2021, 10, 12),
        "218": SWITCH,
    }
    assert rows["218"].regulation == rules.SRC_218 and rows["218"].confirmed


@pytest.mark.parametrize(
    "day, code",
    [
        (date(2021, 10, 11), None),  # before 4800
        (date(2021, 10, 12), "4800"),
        (SWITCH - timedelta(days=1), "4800"),  # the day before the switch
        (SWITCH, "218"),  # the day of the switch
    ],
)
def test_the_seeded_switch(day, code):
    found = thresholds.rules_in_force(day)
    assert (found.code if found else None) == code


def _move(staff, day=MOVED, code="218"):
    return thresholds.rule_start_change(
        by=staff.province_health_officer,
        code=code,
        starts_on=day,
        regulation="Công văn của UBND tỉnh",
        confirmed=False,
        note="tỉnh áp dụng từ ngày khác",
    )


@pytest.mark.parametrize(
    "day, code",
    [
        (SWITCH, "4800"),  # the old switch day no longer switches
        (MOVED - timedelta(days=1), "4800"),
        (MOVED, "218"),
        (MOVED + timedelta(days=1), "218"),
    ],
)
def test_a_moved_switch_applies_on_its_day(staff, day, code):
    _move(staff)
    rs = thresholds.rules_in_force(day)
    assert rs.code == code
    if code == "218":
        assert rs.valid_from == MOVED


def test_a_switch_moved_earlier_applies_218s_first_values(staff):
    _move(staff, day=date(2022, 1, 20))
    rs = thresholds.rules_in_force(date(2022, 1, 20))
    assert rs.code == "218"
    # 218's seeded rows are dated 27/01: the rule set starts with them all the same.
    assert rs.case_bands[-1].lower == 600 and rs.thresholds["deaths_per_100k"].value == 6


def test_the_change_is_audited_and_keeps_the_history(staff):
    _move(staff)
    assert RuleSetStart.objects.filter(rules="218").count() == 2
    event = AuditEvent.objects.get(action="levels.rules_start")
    assert event.changes["before"] == SWITCH.isoformat()
    assert event.changes["after"] == MOVED.isoformat()
    assert event.changes["regulation"] == "Công văn của UBND tỉnh"


@pytest.mark.parametrize(
    "code, day, message",
    [
        ("218", date(2021, 10, 12), "phải sau ngày áp dụng của 4800"),  # on 4800's day
        ("218", date(2021, 10, 13), None),  # the day after 4800's start
        ("4800", SWITCH, "phải trước ngày áp dụng của 218"),
        ("4800", SWITCH - timedelta(days=1), None),
        ("999", MOVED, "không hợp lệ"),
    ],
)
def test_rule_sets_keep_their_order(staff, code, day, message):
    if message is None:
        _move(staff, day=day, code=code)
        return
    with pytest.raises(ValidationError) as exc:
        _move(staff, day=day, code=code)
    assert message in " ".join(exc.value.messages)


@pytest.mark.parametrize("who", ["district_health_officer_a", "committee_member"])
def test_only_the_provinces_health_department_moves_the_switch(staff, who):
    with pytest.raises(PermissionDenied):
        thresholds.rule_start_change(
            by=getattr(staff, who), code="218", starts_on=MOVED, regulation="x", confirmed=False
        )


def test_the_page_shows_asks_first_and_saves(client, staff):
    client.force_login(staff.province_health_officer)
    page = client.get("/levels/thresholds/").content.decode()
    assert 'data-start="218"' in page and "27/01/2022" in page
    seen = RuleSetStart.objects.get(rules="218").pk
    assert (
        f'name="based_on" value="{seen}"'
        in client.get("/levels/thresholds/start/218/").content.decode()
    )
    form = {"starts_on": "10/02/2022", "regulation": "Công văn của UBND tỉnh", "based_on": seen}
    refused = client.post("/levels/thresholds/start/218/", form)
    assert refused.status_code == 400 and "Chưa xác nhận thao tác" in refused.content.decode()
    assert RuleSetStart.objects.filter(rules="218").count() == 1
    done = client.post("/levels/thresholds/start/218/", {**form, "confirmed": "1"})
    assert done.status_code == 302
    assert thresholds.rule_set_starts()["218"] == MOVED
    page = client.get("/levels/thresholds/").content.decode()
    assert "10/02/2022" in page and "chưa xác nhận" in page


def test_the_page_turns_away_bad_input(client, staff):
    client.force_login(staff.province_health_officer)
    seen = RuleSetStart.objects.get(rules="218").pk
    bad = client.post(
        "/levels/thresholds/start/218/",
        {
            "starts_on": "31/02/2022",
            "regulation": "x" * 500,
            "note": "y" * 400,
            "confirmed": "1",
            "based_on": -1,
        },
    )
    assert bad.status_code == 400
    order = client.post(
        "/levels/thresholds/start/218/",
        {"starts_on": "01/10/2021", "regulation": "x", "confirmed": "1", "based_on": seen},
    )
    assert order.status_code == 400 and "phải sau ngày áp dụng" in order.content.decode()
    assert client.get("/levels/thresholds/start/nope/").status_code == 404
    assert RuleSetStart.objects.filter(rules="218").count() == 1


def test_a_change_made_meanwhile_by_another_officer_is_not_replaced_unseen(client, staff):
    # Two officers opened the form on 27/01/2022; the first saves 10/02/2022.
    seen = RuleSetStart.objects.get(rules="218").pk
    first = thresholds.rule_start_change(
        by=staff.province_health_officer, code="218", starts_on=MOVED,
        regulation="Công văn của UBND tỉnh", confirmed=False, based_on=seen,
    )  # fmt: skip
    client.force_login(staff.province_health_officer)
    second = client.post(
        "/levels/thresholds/start/218/",
        {"starts_on": "15/02/2022", "regulation": "x", "confirmed": "1", "based_on": seen},
    )
    page = second.content.decode()
    assert second.status_code == 400 and "vừa được" in page and "10/02/2022" in page
    assert thresholds.rule_set_starts()["218"] == MOVED
    # Having seen it, the officer can change it again.
    again = client.post(
        "/levels/thresholds/start/218/",
        {"starts_on": "15/02/2022", "regulation": "x", "confirmed": "1", "based_on": first.pk},
    )
    assert again.status_code == 302
    assert thresholds.rule_set_starts()["218"] == date(2022, 2, 15)


def test_the_backfill_follows_a_moved_switch_like_the_daily_assessment(world, staff):
    from phongdich.stats.models import UnitFigure

    _move(staff)
    first, last = MOVED - timedelta(days=2), MOVED + timedelta(days=1)
    UnitFigure.objects.bulk_create(
        UnitFigure(unit=u, metric="cases.new_community", day=first - timedelta(days=i), value=i)
        for u in (world.province, world.commune_a)
        for i in range(14)
    )
    for offset in range((last - first).days + 1):
        services.levels_assess(by=None, day=first + timedelta(days=offset), province=world.province)
    daily = {(a.unit_id, a.day): (a.rules, a.inputs, a.outcome) for a in Assessment.objects.all()}
    Assessment.objects.all().delete()
    history.levels_history(by=None, first=first, last=last, province=world.province)
    stored = {(a.unit_id, a.day): (a.rules, a.inputs, a.outcome) for a in Assessment.objects.all()}
    assert stored == daily
    by_day = {d: r for (_u, d), (r, *_x) in stored.items()}
    assert by_day[MOVED - timedelta(days=1)] == "4800" and by_day[MOVED] == "218"
