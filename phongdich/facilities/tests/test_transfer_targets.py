from phongdich.facilities.models import Facility
from phongdich.facilities.selectors import transfer_targets
from phongdich.facilities.services import facility_occupy


def make(world, kind, unit=None, **extra):
    return Facility.objects.create(
        name=f"{kind} {unit or 'x'}", kind=kind, unit=unit or world.district_a, **extra
    )


def test_it_offers_the_whole_province_to_a_commune_worker(world, staff):
    hospital_b = make(world, Facility.Kind.HOSPITAL_TIER2, world.district_b)
    site = make(world, Facility.Kind.ISOLATION_SITE, world.commune_a)
    make(world, Facility.Kind.QUARANTINE_SITE)  # F1 quarantine: not a treatment place
    make(world, Facility.Kind.HOSPITAL_TIER3, is_active=False)
    assert set(transfer_targets(staff.commune_worker_a)) == {hospital_b, site}


def test_it_offers_nothing_without_jurisdiction(world, staff):
    make(world, Facility.Kind.HOSPITAL_TIER2)
    assert list(transfer_targets(staff.outsider)) == []


def test_it_never_counts_occupied_beds_below_zero(world, staff):
    hospital = make(world, Facility.Kind.HOSPITAL_TIER2, beds_total=10, beds_occupied=1)
    facility_occupy(by=staff.province_admin, facility=hospital, delta=1)
    hospital.refresh_from_db()
    assert hospital.beds_occupied == 2 and hospital.beds_free == 8
    facility_occupy(by=staff.province_admin, facility=hospital, delta=-5)
    hospital.refresh_from_db()
    assert hospital.beds_occupied == 0
