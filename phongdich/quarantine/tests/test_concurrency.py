"""Racing writes on PostgreSQL (threads on their own connections; one after the other on
SQLite, which still checks the outcome rule)."""

import pytest

from phongdich.quarantine import services
from phongdich.quarantine.models import Basis, Place, Quarantine
from phongdich.testing import losers, make_staff, make_world, race, winners

from . import builders


@pytest.mark.django_db(transaction=True)
def test_four_officers_opening_one_persons_quarantine_make_one():
    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    officers = [staff.commune_worker_a, staff.district_health_officer_a] * 2
    outcomes = race(
        [
            lambda by=by: services.quarantine_open(
                by=by,
                person=person,
                basis=Basis.F1,
                start=builders.IN_10696,
                commune=world.commune_a,
            )
            for by in officers
        ]
    )
    assert not losers(outcomes), losers(outcomes)
    assert Quarantine.objects.filter(person=person).count() == 1
    assert sorted(created for _q, created in winners(outcomes)) == [False, False, False, True]


@pytest.mark.django_db(transaction=True)
def test_two_officers_and_the_last_bed_make_one_admission():
    world = make_world()
    staff = make_staff(world)
    site = builders.site(world, beds=1)
    people = [
        builders.person(world, staff),
        builders.person(
            world, staff, full_name="Trần Văn Hai", phone="0912000222", id_number="038085002222"
        ),
    ]
    outcomes = race(
        [
            lambda by=by, person=person: services.quarantine_open(
                by=by,
                person=person,
                basis=Basis.RETURNEE,
                start=builders.IN_10696,
                commune=world.commune_a,
                place=Place.SITE,
                facility=site,
            )
            for by, person in zip(
                (staff.commune_worker_a, staff.district_health_officer_a), people, strict=True
            )
        ]
    )
    assert len(winners(outcomes)) == 1 and len(losers(outcomes)) == 1
    assert getattr(losers(outcomes)[0], "code", None) == "full"
    site.refresh_from_db()
    assert site.beds_occupied == 1
    assert site.stays.filter(discharged_at__isnull=True).count() == 1
    # The loser's whole transaction rolled back: no record without a bed.
    assert Quarantine.objects.count() == 1
    assert Quarantine.objects.get().stay_id is not None


@pytest.mark.django_db(transaction=True)
def test_admissions_and_discharges_at_once_keep_occupancy_exact():
    world = make_world()
    staff = make_staff(world)
    site = builders.site(world, beds=3)
    people = [
        builders.person(
            world,
            staff,
            full_name=f"Người Số {i}",
            phone=f"091200030{i}",
            id_number=f"03808500300{i}",
        )
        for i in range(6)
    ]
    first = [
        services.quarantine_open(
            by=staff.commune_worker_a,
            person=p,
            basis=Basis.RETURNEE,
            start=builders.IN_10696,
            commune=world.commune_a,
            place=Place.SITE,
            facility=site,
        )[0]
        for p in people[:2]
    ]
    calls = [
        lambda q=q: services.quarantine_release_early(
            by=staff.commune_worker_a, quarantine=q, reason="Kết thúc"
        )
        for q in first
    ] + [
        lambda p=p: services.quarantine_open(
            by=staff.district_health_officer_a,
            person=p,
            basis=Basis.RETURNEE,
            start=builders.IN_10696,
            commune=world.commune_a,
            place=Place.SITE,
            facility=site,
        )
        for p in people[2:]
    ]
    race(calls)
    site.refresh_from_db()
    open_stays = site.stays.filter(discharged_at__isnull=True).count()
    active_at_site = Quarantine.objects.filter(status="active", facility=site).count()
    assert site.beds_occupied == open_stays == active_at_site <= 3
