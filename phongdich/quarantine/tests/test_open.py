"""The public contract: quarantine_open makes one active record per person, whatever the
source, by the dated policy; a second call returns (and may extend) the first."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from phongdich.quarantine import services
from phongdich.quarantine.models import Basis, Place, Quarantine, Status

from . import builders

pytestmark = pytest.mark.django_db


def test_an_f1_gets_one_record_with_the_plan_of_the_row_in_force(world, staff):
    person = builders.person(world, staff)
    quarantine, created = services.quarantine_open(
        by=staff.commune_worker_a,
        person=person,
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=world.commune_a,
        doses=2,
    )
    assert created
    assert quarantine.policy_key == "2021-12-16-10696"
    assert quarantine.start_date == builders.IN_10696
    assert quarantine.planned_end == builders.IN_10696 + timedelta(days=6)  # 7 days
    assert quarantine.test_days == [builders.IN_10696, builders.IN_10696 + timedelta(days=6)]
    assert quarantine.status == Status.ACTIVE and quarantine.place == Place.HOME


def test_opening_again_returns_the_active_one_and_extends_it_when_later(world, staff):
    person = builders.person(world, staff)
    by = staff.commune_worker_a
    first, _ = services.quarantine_open(
        by=by,
        person=person,
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=world.commune_a,
        doses=2,
    )
    same, created = services.quarantine_open(
        by=by,
        person=person,
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=world.commune_a,
        doses=2,
    )
    assert (same.pk, created) == (first.pk, False)
    assert Quarantine.objects.count() == 1
    later = builders.IN_10696 + timedelta(days=3)
    extended, created = services.quarantine_open(
        by=by, person=person, basis=Basis.F1, start=later, commune=world.commune_a, doses=2
    )
    assert (extended.pk, created) == (first.pk, False)
    extended.refresh_from_db()
    assert extended.planned_end == later + timedelta(days=6)
    assert later.isoformat() in extended.test_dates
    # An earlier exposure never shortens it.
    services.quarantine_open(
        by=by,
        person=person,
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=world.commune_a,
        doses=2,
    )
    extended.refresh_from_db()
    assert extended.planned_end == later + timedelta(days=6)


def test_a_returnee_and_an_f1_get_the_same_kind_of_record(world, staff):
    f1 = builders.person(world, staff)
    returnee = builders.person(
        world, staff, full_name="Trần Thị Về", phone="0912000222", id_number="038085002222"
    )
    a, _ = services.quarantine_open(
        by=staff.commune_worker_a,
        person=f1,
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=world.commune_a,
    )
    b, _ = services.quarantine_open(
        by=staff.checkpoint_officer,
        person=returnee,
        basis=Basis.RETURNEE,
        start=builders.IN_10696,
        commune=world.commune_a,
    )
    assert type(a) is type(b) and a.policy_key == b.policy_key
    assert a.planned_end == b.planned_end


def test_no_quarantine_after_1909(world, staff):
    person = builders.person(world, staff)
    with pytest.raises(ValidationError):
        services.quarantine_open(
            by=staff.commune_worker_a,
            person=person,
            basis=Basis.F1,
            start=date(2022, 4, 15),
            commune=world.commune_a,
        )
    assert not Quarantine.objects.exists()


def test_an_ended_quarantine_lets_a_new_one_open(world, staff):
    person = builders.person(world, staff)
    by = staff.commune_worker_a
    first, _ = services.quarantine_open(
        by=by, person=person, basis=Basis.F1, start=builders.IN_10696, commune=world.commune_a
    )
    services.quarantine_release_early(by=by, quarantine=first, reason="Xét nghiệm âm tính")
    second, created = services.quarantine_open(
        by=by, person=person, basis=Basis.F1, start=builders.IN_10696, commune=world.commune_a
    )
    assert created and second.pk != first.pk


def test_a_site_takes_a_bed_and_release_frees_it(world, staff):
    site = builders.site(world, beds=1)
    person = builders.person(world, staff)
    by = staff.commune_worker_a
    quarantine, _ = services.quarantine_open(
        by=by,
        person=person,
        basis=Basis.RETURNEE,
        start=builders.IN_10696,
        commune=world.commune_a,
        place=Place.SITE,
        facility=site,
    )
    site.refresh_from_db()
    assert site.beds_occupied == 1 and quarantine.stay_id is not None
    other = builders.person(
        world, staff, full_name="Lê Văn Khác", phone="0912000333", id_number="038085003333"
    )
    with pytest.raises(ValidationError):
        services.quarantine_open(
            by=by,
            person=other,
            basis=Basis.RETURNEE,
            start=builders.IN_10696,
            commune=world.commune_a,
            place=Place.SITE,
            facility=site,
        )
    assert Quarantine.objects.filter(person=other).count() == 0
    services.quarantine_release_early(by=by, quarantine=quarantine, reason="Chuyển viện")
    site.refresh_from_db()
    assert site.beds_occupied == 0
    assert site.stays.filter(discharged_at__isnull=True).count() == 0


def test_a_site_must_be_a_quarantine_site(world, staff):
    person = builders.person(world, staff)
    with pytest.raises(ValidationError):
        services.quarantine_open(
            by=staff.commune_worker_a,
            person=person,
            basis=Basis.F1,
            start=builders.IN_10696,
            commune=world.commune_a,
            place=Place.SITE,
            facility=None,
        )


def test_vaccination_register_doses_choose_the_group(world, staff):
    from phongdich.vaccination.tests import builders as vax

    person = builders.person(world, staff)
    from phongdich.vaccination import services as vaccination

    for n, day in ((1, date(2021, 9, 1)), (2, date(2021, 10, 1))):
        vaccination.dose_record_for_person(
            by=staff.commune_worker_a, person=person, dose=vax.dose(n=n, day=day)
        )
    quarantine, _ = services.quarantine_open(
        by=staff.commune_worker_a,
        person=person,
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=world.commune_a,
    )
    assert quarantine.planned_end == builders.IN_10696 + timedelta(days=6)
