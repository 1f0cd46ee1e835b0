"""Occupancy comes from stays: every bed taken opens one, every bed freed closes one, and
the counters the guarded UPDATE keeps are exactly the open stays. Sites not yet recording
every patient report the day's count instead, and say so."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from phongdich.facilities import services
from phongdich.facilities.models import BED_COLUMNS, BedType, Facility, OccupancyReport, Stay
from phongdich.facilities.services import facility_occupy
from phongdich.testing import losers, make_staff, make_world, race, winners

from .builders import officer_of, site


def _counters_match_open_stays(facility):
    facility.refresh_from_db()
    for bed_type, (_total, occupied) in BED_COLUMNS.items():
        open_stays = Stay.objects.filter(
            facility=facility, bed_type=bed_type, discharged_at__isnull=True
        ).count()
        assert getattr(facility, occupied) == open_stays, bed_type


def test_each_bed_taken_opens_a_stay_of_its_type_and_freeing_closes_one(world, staff):
    hospital = site(world, kind="tier2", beds_total=5, oxygen_beds_total=3, icu_beds_total=2)
    by = staff.province_admin
    facility_occupy(by=by, facility=hospital, delta=1)  # an existing caller: regular bed
    facility_occupy(by=by, facility=hospital, delta=1, icu=True)  # the older ICU spelling
    facility_occupy(by=by, facility=hospital, delta=2, bed_type=BedType.OXYGEN)
    _counters_match_open_stays(hospital)
    assert (hospital.beds_occupied, hospital.icu_beds_occupied, hospital.oxygen_beds_occupied) == (
        1,
        1,
        2,
    )
    facility_occupy(by=by, facility=hospital, delta=-1, bed_type=BedType.OXYGEN)
    facility_occupy(by=by, facility=hospital, delta=-1, icu=True)
    _counters_match_open_stays(hospital)
    assert Stay.objects.filter(discharged_at__isnull=False).count() == 2
    assert Stay.objects.get(bed_type="icu").discharged_by == by


def test_freeing_a_named_case_closes_that_case_stay(world, staff):
    hospital = site(world, kind="tier2", oxygen_beds_total=3)

    class Case:  # only the id is read
        def __init__(self, pk):
            self.pk = pk

    by = staff.province_admin
    facility_occupy(by=by, facility=hospital, delta=1, bed_type="oxygen", case=Case(11))
    facility_occupy(by=by, facility=hospital, delta=1, bed_type="oxygen", case=Case(12))
    facility_occupy(by=by, facility=hospital, delta=-1, bed_type="oxygen", case=Case(12))
    assert list(
        Stay.objects.filter(discharged_at__isnull=True).values_list("case_id", flat=True)
    ) == [11]


@pytest.mark.parametrize(
    ("bed_type", "message"),
    [
        ("regular", "đã hết chỗ trống"),
        ("icu", "đã hết giường hồi sức trống"),
        ("oxygen", "đã hết giường có oxy trống"),
        ("ventilator", "đã hết giường thở máy trống"),
    ],
)
def test_the_last_bed_of_each_type_is_taken_once_and_the_next_is_refused(
    world, staff, bed_type, message
):
    total_column, _occupied = BED_COLUMNS[bed_type]
    hospital = site(world, kind="tier3", name="BV Phổi", **{total_column: 1})
    facility_occupy(by=staff.province_admin, facility=hospital, delta=1, bed_type=bed_type)
    with pytest.raises(ValidationError) as refused:
        facility_occupy(by=staff.province_admin, facility=hospital, delta=1, bed_type=bed_type)
    assert refused.value.messages[0].startswith("BV Phổi " + message)
    assert Stay.objects.count() == 1
    _counters_match_open_stays(hospital)


@pytest.mark.django_db(transaction=True)
def test_two_admissions_racing_for_the_last_oxygen_bed_one_wins(client):
    world = make_world()
    staff = make_staff(world)
    hospital = site(world, kind="tier2", name="BV Đa khoa Bỉm Sơn", oxygen_beds_total=1)
    officer = officer_of(hospital)
    stale = Facility.objects.get(pk=hospital.pk)

    def admit():
        return services.facility_occupy(by=officer, facility=stale, delta=1, bed_type="oxygen")

    outcomes = race([admit for _ in range(5)])
    assert len(winners(outcomes)) == 1
    assert [e.messages[0] for e in losers(outcomes)] == [
        "BV Đa khoa Bỉm Sơn đã hết giường có oxy trống, hãy chọn nơi khác."
    ] * 4
    _counters_match_open_stays(hospital)
    assert hospital.oxygen_beds_occupied == 1 == Stay.objects.count()
    del staff


def test_the_admission_page_says_the_last_bed_is_gone(client, world, staff):
    hospital = site(world, kind="tier2", name="BV Đa khoa Bỉm Sơn", oxygen_beds_total=1)
    officer = officer_of(hospital)
    client.force_login(officer)
    assert (
        client.post(
            f"/facilities/{hospital.pk}/admit/", {"bed_type": "oxygen", "patient_ref": "BA-1"}
        ).status_code
        == 302
    )
    page = client.post(f"/facilities/{hospital.pk}/admit/", {"bed_type": "oxygen"})
    assert page.status_code == 200
    assert "BV Đa khoa Bỉm Sơn đã hết giường có oxy trống" in page.content.decode()
    assert Stay.objects.get().patient_ref == "BA-1"


def test_a_discharge_frees_the_bed_once(client, world, staff):
    hospital = site(world, kind="tier2", beds_total=3)
    officer = officer_of(hospital)
    (stay,) = facility_occupy(by=officer, facility=hospital, delta=1)
    client.force_login(officer)
    for _click in range(2):
        client.post(f"/facilities/{hospital.pk}/stays/{stay.pk}/discharge/")
    _counters_match_open_stays(hospital)
    assert hospital.beds_occupied == 0
    stay.refresh_from_db()
    assert stay.discharged_by == officer
    with pytest.raises(ValidationError, match="đã kết thúc"):
        services.stay_discharge(by=officer, stay=stay)


def test_a_reported_count_replaces_the_counter_and_is_labelled(client, world, staff):
    hospital = site(world, kind="tier1", beds_total=100, oxygen_beds_total=10)
    officer = officer_of(hospital)
    client.force_login(officer)
    response = client.post(
        f"/facilities/{hospital.pk}/report/",
        {"day": "02/12/2026", "regular": 64, "oxygen": 7, "icu": "", "ventilator": ""},
    )
    assert response.status_code == 302
    hospital.refresh_from_db()
    assert (hospital.beds_occupied, hospital.oxygen_beds_occupied) == (64, 7)
    assert hospital.occupancy_source == Facility.Source.REPORTED
    assert set(OccupancyReport.objects.values_list("bed_type", "occupied", "day")) == {
        ("regular", 64, date(2026, 12, 2)),
        ("oxygen", 7, date(2026, 12, 2)),
    }
    page = client.get(f"/facilities/{hospital.pk}/").content.decode()
    assert "Số đang dùng do cơ sở báo cáo" in page and "02/12/2026" in page
    # A transfer is still checked against what the site said: 36 regular beds are left.
    facility_occupy(by=officer, facility=hospital, delta=36)
    with pytest.raises(ValidationError):
        facility_occupy(by=officer, facility=hospital, delta=1)


@pytest.mark.parametrize(("occupied", "refused"), [(10, False), (11, True)])
def test_a_report_above_the_capacity_is_refused(world, staff, occupied, refused):
    hospital = site(world, kind="tier1", oxygen_beds_total=10)
    call = lambda: services.facility_occupancy_report(  # noqa: E731
        by=staff.province_admin,
        facility=hospital,
        day=date(2026, 12, 2),
        counts={"oxygen": occupied},
    )
    if refused:
        with pytest.raises(ValidationError, match="chỉ có 10 giường"):
            call()
        assert not OccupancyReport.objects.exists()
    else:
        call()
        hospital.refresh_from_db()
        assert hospital.oxygen_beds_occupied == 10


def test_an_empty_report_is_refused(client, world, staff):
    hospital = site(world, kind="tier1", beds_total=10)
    client.force_login(staff.district_health_officer_a)
    page = client.post(f"/facilities/{hospital.pk}/report/", {"day": "02/12/2026"})
    assert "ít nhất một loại giường" in page.content.decode()
