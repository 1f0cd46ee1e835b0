"""Beds are taken one at a time: however many transfers race for the last bed, exactly one
gets it and occupancy never exceeds capacity (PostgreSQL: real threads; SQLite: in turn)."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from phongdich.cases import services as cases
from phongdich.cases.models import Case, Transfer
from phongdich.cases.tests.builders import make_case
from phongdich.facilities.models import Facility
from phongdich.facilities.services import facility_occupy
from phongdich.testing import losers, make_staff, make_world, race, winners

RACERS = 6


def _transfer(by, case_id, facility, to_place):
    # The facility object was read before the race, as the transfer form reads it.
    return lambda: cases.case_transfer(
        by=by,
        case=Case.objects.get(pk=case_id),
        to_place=to_place,
        facility=facility,
        reason="SpO2 93%",
    )


@pytest.mark.django_db(transaction=True)
def test_only_one_of_many_transfers_takes_the_last_bed():
    world = make_world()
    staff = make_staff(world)
    site = Facility.objects.create(
        name="Khu cách ly F0 Hàm Rồng", kind="isolation", unit=world.commune_a, beds_total=1
    )
    case_ids = [
        make_case(world, staff.commune_worker_a, name=f"Người {i}").pk for i in range(RACERS)
    ]
    stale = Facility.objects.get(pk=site.pk)
    outcomes = race([_transfer(staff.commune_worker_a, pk, stale, "isolation") for pk in case_ids])
    assert len(winners(outcomes)) == 1
    assert all(isinstance(e, ValidationError) for e in losers(outcomes)), losers(outcomes)
    site.refresh_from_db()
    assert site.beds_occupied == site.beds_total == 1
    assert Transfer.objects.count() == 1
    assert Case.objects.filter(facility=site).count() == 1


@pytest.mark.django_db(transaction=True)
def test_only_one_of_many_transfers_takes_the_last_icu_bed():
    world = make_world()
    staff = make_staff(world)
    hospital = Facility.objects.create(
        name="BV Đa khoa tỉnh", kind="tier3", unit=world.province, beds_total=50, icu_beds_total=1
    )
    case_ids = [
        make_case(world, staff.commune_worker_a, name=f"Người {i}").pk for i in range(RACERS)
    ]
    stale = Facility.objects.get(pk=hospital.pk)
    outcomes = race([_transfer(staff.commune_worker_a, pk, stale, "icu") for pk in case_ids])
    assert len(winners(outcomes)) == 1
    hospital.refresh_from_db()
    assert hospital.icu_beds_occupied == 1
    assert hospital.beds_occupied == 0


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_transfer_moves_the_patient_once():
    world = make_world()
    staff = make_staff(world)
    hospital = Facility.objects.create(
        name="BV Đa khoa tỉnh", kind="tier2", unit=world.province, beds_total=10
    )
    case_id = make_case(world, staff.commune_worker_a).pk
    outcomes = race(
        [_transfer(staff.commune_worker_a, case_id, hospital, "tier2") for _ in range(3)]
    )
    assert len(winners(outcomes)) == 1
    hospital.refresh_from_db()
    assert hospital.beds_occupied == 1
    assert Transfer.objects.filter(case_id=case_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_release_frees_the_bed_once():
    world = make_world()
    staff = make_staff(world)
    hospital = Facility.objects.create(
        name="BV Đa khoa tỉnh", kind="tier2", unit=world.province, beds_total=10, beds_occupied=4
    )
    case = make_case(world, staff.commune_worker_a)
    cases.case_transfer(
        by=staff.commune_worker_a, case=case, to_place="tier2", facility=hospital, reason="x"
    )
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.localdate() - timedelta(days=15)
    Case.objects.filter(pk=case.pk).update(isolation_start=start, diagnosed_on=start)

    def release():
        return cases.case_release(by=staff.commune_worker_a, case=Case.objects.get(pk=case.pk))

    outcomes = race([release, release, release])
    assert len(winners(outcomes)) == 1
    hospital.refresh_from_db()
    assert hospital.beds_occupied == 4


@pytest.mark.django_db(transaction=True)
def test_only_one_traveller_takes_the_last_quarantine_place():
    from phongdich.checkpoints import services as checkpoints
    from phongdich.checkpoints.models import Passage
    from phongdich.checkpoints.tests.builders import checkpoint, declaration

    world = make_world()
    staff = make_staff(world)
    site = Facility.objects.create(
        name="KCL Trường Quân sự", kind="quarantine", unit=world.district_b, beds_total=1
    )
    gate = checkpoint(world)
    travellers = [
        declaration(world.commune_a, full_name=f"Người {i}", phone=f"091200000{i}")[0]
        for i in range(RACERS)
    ]
    stale = Facility.objects.get(pk=site.pk)
    outcomes = race(
        [
            lambda d=d: checkpoints.passage_record(
                by=staff.checkpoint_officer,
                declaration=d,
                checkpoint=gate,
                decision="centralised",
                idempotency_key=uuid.uuid4().hex,
                facility=stale,
            )
            for d in travellers
        ]
    )
    assert len(winners(outcomes)) == 1
    assert all(isinstance(e, ValidationError) for e in losers(outcomes)), losers(outcomes)
    site.refresh_from_db()
    assert site.beds_occupied == 1
    assert Passage.objects.filter(facility=site).count() == 1


def test_it_refuses_a_bed_past_capacity_and_says_so(world, staff):
    hospital = Facility.objects.create(
        name="BV Phổi", kind="tier3", unit=world.province, beds_total=1, icu_beds_total=0
    )
    facility_occupy(by=staff.province_admin, facility=hospital, delta=1)
    with pytest.raises(ValidationError) as refused:
        facility_occupy(by=staff.province_admin, facility=hospital, delta=1)
    assert "BV Phổi" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        facility_occupy(by=staff.province_admin, facility=hospital, delta=1, icu=True)
    hospital.refresh_from_db()
    assert (hospital.beds_occupied, hospital.icu_beds_occupied) == (1, 0)
    facility_occupy(by=staff.province_admin, facility=hospital, delta=-1)
    hospital.refresh_from_db()
    assert hospital.beds_occupied == 0


def test_the_transfer_page_says_the_facility_is_full(client, world, staff):
    full = Facility.objects.create(
        name="Khu cách ly Đông Thọ", kind="isolation", unit=world.commune_a, beds_total=1
    )
    facility_occupy(by=staff.province_admin, facility=full, delta=1)
    case = make_case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    page = client.post(
        f"/cases/{case.pk}/transfer/",
        {"to_place": "isolation", "facility": full.pk, "reason": "SpO2 94%"},
    )
    assert page.status_code == 200
    assert "Khu cách ly Đông Thọ đã hết chỗ trống" in page.content.decode()
    full.refresh_from_db()
    assert full.beds_occupied == 1 and not Transfer.objects.exists()
