"""Alerts sent to the person in charge: once per episode, again only after recovery."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from phongdich.facilities.tests.builders import officer_of, site
from phongdich.schedule.jobs import JOBS
from phongdich.supplies import services
from phongdich.supplies.alerts import alerts_scan
from phongdich.supplies.models import AlertEpisode

from .builders import item

WEEK_HOURS = 7 * 24


@pytest.fixture
def hospital(world, staff):
    facility = site(world, name="Bệnh viện dã chiến số 1")
    officer = officer_of(facility)
    officer.email = "coso@example.vn"
    officer.save()
    staff.district_health_officer_a.email = "ytehuyen@example.vn"
    staff.district_health_officer_a.save()
    staff.province_health_officer.email = "soyte@example.vn"
    staff.province_health_officer.save()
    return facility


def _oxygen(staff, facility, hours_left, *, now):
    """1 kg an hour over the last week; `hours_left` kg left."""
    place = services.place_for_facility(by=staff.province_admin, facility=facility)
    oxy = item("oxy-long")
    services.stock_receive(
        by=staff.province_admin,
        place=place,
        item=oxy,
        quantity=WEEK_HOURS + hours_left,
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
    return place, oxy


def test_sent_once_to_the_person_in_charge_without_personal_data(world, staff, hospital):
    now = timezone.now()
    place, oxy = _oxygen(staff, hospital, 6, now=now)
    alerts_scan(now=now)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    # the facility's account and the district's health officer; not the province's
    assert sorted(sent.to) == ["coso@example.vn", "ytehuyen@example.vn"]
    assert "Bệnh viện dã chiến số 1 (Phường Hàm Rồng, Thành phố Thanh Hóa)" in sent.body
    assert oxy.name in sent.body and "6,0 giờ" in sent.body
    assert f"/supplies/places/{place.pk}/" in sent.body and sent.body.count("http") == 1
    # still running low at the next scans: no second notice
    alerts_scan(now=now + timedelta(minutes=30))
    alerts_scan(now=now + timedelta(minutes=60))
    assert len(mail.outbox) == 1
    assert AlertEpisode.objects.filter(closed_at__isnull=True).count() == 1


def test_sent_again_after_the_stock_recovered_and_fell(world, staff, hospital):
    now = timezone.now()
    place, oxy = _oxygen(staff, hospital, 6, now=now)
    alerts_scan(now=now)
    services.stock_receive(
        by=staff.province_admin, place=place, item=oxy, quantity=100, occurred_at=now
    )
    alerts_scan(now=now + timedelta(minutes=1))
    assert len(mail.outbox) == 1
    assert AlertEpisode.objects.get().closed_at is not None
    services.stock_issue(
        by=staff.province_admin, place=place, item=oxy, quantity=100, occurred_at=now
    )
    alerts_scan(now=now + timedelta(minutes=2))
    assert len(mail.outbox) == 2
    assert AlertEpisode.objects.count() == 2


@pytest.mark.parametrize(("hours_left", "sent"), [(8, 1), (9, 0)])
def test_nothing_sent_above_the_threshold(world, staff, hospital, hours_left, sent):
    now = timezone.now()
    _oxygen(staff, hospital, hours_left, now=now)
    alerts_scan(now=now)
    assert len(mail.outbox) == sent


def test_a_place_above_any_district_tells_the_province(world, staff, hospital):
    from phongdich.supplies.models import Place

    now = timezone.now()
    place = Place.objects.create(
        kind=Place.Kind.PROVINCE_WAREHOUSE, name="Kho tỉnh", unit=world.province
    )
    oxy = item("oxy-long")
    services.stock_receive(
        by=staff.province_admin,
        place=place,
        item=oxy,
        quantity=WEEK_HOURS,
        occurred_at=now - timedelta(days=8),
    )
    services.stock_issue(
        by=staff.province_admin,
        place=place,
        item=oxy,
        quantity=WEEK_HOURS,
        occurred_at=now - timedelta(hours=2),
    )
    alerts_scan(now=now)
    assert [m.to for m in mail.outbox] == [["soyte@example.vn"]]
    assert "đã hết" in mail.outbox[0].body


@pytest.mark.parametrize(("occupied", "sent"), [(9, 1), (8, 0)])
def test_a_site_nearly_full_is_told_once(world, staff, hospital, occupied, sent):
    hospital.oxygen_beds_total, hospital.oxygen_beds_occupied = 10, occupied
    hospital.save()
    alerts_scan()
    alerts_scan()
    assert len(mail.outbox) == sent
    if sent:
        assert "còn trống 1/10 giường" in mail.outbox[0].body
        assert f"/facilities/{hospital.pk}/" in mail.outbox[0].body


def test_the_scan_is_in_the_scheduler_table():
    (job,) = [j for j in JOBS if j.name == "supplies.scan_alerts"]
    assert job.task_path == "phongdich.supplies.tasks.scan_alerts"
    from phongdich.supplies.tasks import scan_alerts

    assert scan_alerts.module_path == job.task_path


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_one_notice():
    from phongdich.testing import make_staff, make_world, race

    world = make_world()
    staff = make_staff(world)
    facility = site(world, name="Bệnh viện dã chiến số 2")
    staff.district_health_officer_a.email = "ytehuyen@example.vn"
    staff.district_health_officer_a.save()
    now = timezone.now()
    _oxygen(staff, facility, 4, now=now)
    outcomes = race([lambda: alerts_scan(now=now) for _ in range(3)])
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert len(mail.outbox) == 1
    assert AlertEpisode.objects.count() == 1
