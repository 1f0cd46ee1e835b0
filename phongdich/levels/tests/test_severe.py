"""218's new cases needing oxygen or ventilation, read from the facilities' stays: a case
counts once, on its first severe admission, where it lives; shown beside the level."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from phongdich.cases.tests.builders import make_case
from phongdich.facilities.models import Stay
from phongdich.facilities.tests.builders import site
from phongdich.levels import history, services
from phongdich.levels.models import Assessment
from phongdich.levels.severe import new_severe_by_day

pytestmark = pytest.mark.django_db
DAY = date(2022, 2, 10)  # under 218


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def stays(world, staff):
    hospital = site(world, unit=world.district_a, name="Bệnh viện Đa khoa tỉnh")
    one = make_case(world, staff.commune_worker_a, name="Lê Văn Một")
    two = make_case(world, staff.commune_worker_b, commune=world.commune_b, name="Lê Văn Hai")
    rows = [
        # case one: oxygen on DAY-2, then ICU on DAY-1 — one new severe case, on DAY-2
        Stay(
            facility=hospital,
            bed_type="oxygen",
            case_id=one.pk,
            admitted_at=at(DAY - timedelta(days=2)),
        ),
        Stay(
            facility=hospital,
            bed_type="icu",
            case_id=one.pk,
            admitted_at=at(DAY - timedelta(days=1)),
        ),
        # case two: a regular bed does not count; oxygen 8 days ago is outside the week
        Stay(facility=hospital, bed_type="regular", case_id=two.pk, admitted_at=at(DAY)),
        Stay(
            facility=hospital,
            bed_type="ventilator",
            case_id=two.pk,
            admitted_at=at(DAY - timedelta(days=7)),
        ),
        # a stay without a case counts at the facility's unit
        Stay(facility=hospital, bed_type="oxygen", patient_ref="HS-1", admitted_at=at(DAY, 23)),
    ]
    Stay.objects.bulk_create(rows)
    return world


def test_counted_once_on_the_first_severe_admission_where_the_case_lives(stays):
    world = stays
    units = [world.province, world.district_a, world.district_b, world.commune_a, world.commune_b]
    counts = new_severe_by_day(units, DAY - timedelta(days=6), DAY)
    assert dict(counts[world.commune_a.pk]) == {DAY - timedelta(days=2): 1}
    assert world.commune_b.pk not in counts  # its only severe admission is 7 days back
    assert dict(counts[world.district_a.pk]) == {DAY - timedelta(days=2): 1, DAY: 1}
    assert sum(counts[world.province.pk].values()) == 2


def test_the_218_assessment_reads_it_against_its_unconfirmed_threshold(stays):
    world = stays
    services.levels_assess(by=None, day=DAY, province=world.province)
    a = Assessment.objects.get(unit=world.commune_a, day=DAY)
    assert a.inputs["severe_7_days"] == 1
    assert a.inputs["severe_per_100k"] == pytest.approx(100_000 / 12_000)
    criterion = next(c for c in a.outcome["criteria"] if c["key"] == "severe_per_100k")
    # 8.3 /100k/week: under the (unconfirmed) threshold of 10, so the level is not raised.
    assert criterion["result"] == "not_raised" and not criterion["confirmed"]
    assert "severe_per_100k" not in a.outcome["missing"]
    b = Assessment.objects.get(unit=world.commune_b, day=DAY)
    assert b.inputs["severe_7_days"] == 0


def test_the_backfill_reads_it_the_same_way(stays):
    world = stays
    services.levels_assess(by=None, day=DAY, province=world.province)
    daily = {a.unit_id: a.inputs for a in Assessment.objects.filter(day=DAY)}
    Assessment.objects.all().delete()
    history.levels_history(by=None, first=DAY, last=DAY, province=world.province)
    assert {a.unit_id: a.inputs for a in Assessment.objects.filter(day=DAY)} == daily
