"""Days of supply and the alerts: at the threshold and one hour either side."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from phongdich.supplies import rules, services
from phongdich.supplies.models import AlertThreshold, Place
from phongdich.supplies.selectors import alerts, stock_lines

from .builders import item, station, warehouse

WEEK_HOURS = 7 * 24


@pytest.mark.parametrize(("hours_left", "alert"), [(7, True), (8, True), (9, False)])
def test_oxygen_alerts_at_eight_hours_left_by_default(hours_left, alert):
    # 168 kg used in the week: 1 kg an hour, so the balance is the hours left.
    figures = rules.supply(
        Decimal(hours_left), Decimal(WEEK_HOURS), rules.DEFAULT_THRESHOLD_HOURS["liquid_oxygen"]
    )
    assert figures.hours_left == hours_left
    assert figures.alert is alert


@pytest.mark.parametrize(("hours_left", "alert"), [(71, True), (72, True), (73, False)])
def test_test_kits_alert_at_three_days_by_default(hours_left, alert):
    figures = rules.supply(Decimal(hours_left * 10), Decimal(WEEK_HOURS * 10), 72)
    assert figures.days_left == Decimal(hours_left) / 24
    assert figures.alert is alert


def test_no_consumption_means_no_end_and_an_empty_stock_alerts():
    assert rules.supply(Decimal(50), Decimal(0), 8) == rules.Supply(
        Decimal(50), Decimal(0), None, 8, False
    )
    assert rules.supply(Decimal(0), Decimal(0), 8).alert
    assert not rules.supply(Decimal(0), Decimal(0), None).alert  # items without a threshold


def _oxygen_site(world, staff, balance_hours, *, now):
    """A station that used 168 kg over the last week and holds `balance_hours` kg."""
    place = station(world.commune_a)
    oxy = item("oxy-long")
    services.stock_receive(
        by=staff.province_admin,
        place=place,
        item=oxy,
        quantity=WEEK_HOURS + balance_hours,
        occurred_at=now - timedelta(days=8),
    )
    for day in range(7):
        services.stock_issue(
            by=staff.province_admin,
            place=place,
            item=oxy,
            quantity=24,
            occurred_at=now - timedelta(days=day, hours=1),
        )
    return place


@pytest.mark.parametrize(("hours_left", "alert"), [(7, True), (8, True), (9, False)])
def test_the_board_alerts_from_the_ledger_at_the_threshold(world, staff, hours_left, alert):
    now = timezone.now()
    _oxygen_site(world, staff, hours_left, now=now)
    (line,) = stock_lines(Place.objects.all(), now=now)
    assert line.supply.per_day == 24 and line.supply.hours_left == hours_left
    assert bool(alerts(world.province, now=now)) is alert


def test_the_province_sets_another_threshold(world, staff):
    now = timezone.now()
    _oxygen_site(world, staff, 10, now=now)
    assert not alerts(world.province, now=now)
    AlertThreshold.objects.update_or_create(
        item_kind="liquid_oxygen", defaults={"within": 12, "per": "hours"}
    )
    assert alerts(world.province, now=now)
    AlertThreshold.objects.filter(item_kind="liquid_oxygen").update(within=1, per="days")
    assert alerts(world.province, now=now)
    AlertThreshold.objects.filter(item_kind="liquid_oxygen").update(active=False)  # default 8 h
    assert not alerts(world.province, now=now)


def test_a_corrected_issue_changes_the_rate(world, staff):
    now = timezone.now()
    place = warehouse(world.district_a)
    kit = item("test-nhanh")
    services.stock_receive(
        by=staff.province_admin,
        place=place,
        item=kit,
        quantity=1000,
        occurred_at=now - timedelta(days=10),
    )
    issue = services.stock_issue(
        by=staff.province_admin,
        place=place,
        item=kit,
        quantity=700,
        occurred_at=now - timedelta(days=1),
    )
    services.stock_correct(
        by=staff.province_admin, entry=issue, right_quantity=70, note="Gõ thừa số 0"
    )
    (line,) = stock_lines(Place.objects.all(), now=now)
    assert line.supply.balance == 930 and line.supply.per_day == 10
