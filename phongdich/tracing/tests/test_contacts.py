"""Recording contacts: through the registry's matching, never a duplicate; F2 of F1; status."""

import pytest
from django.core.exceptions import ValidationError

from phongdich.people.models import Person
from phongdich.tracing import services
from phongdich.tracing.models import Contact

from . import builders


def test_the_same_contact_recorded_twice_is_one_contact(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    first = builders.contact(world, staff.commune_worker_a, source_case=case)
    again = builders.contact(world, staff.commune_worker_a, source_case=case)
    assert first.pk == again.pk
    assert Contact.objects.count() == 1
    assert Person.objects.filter(phone="+84913111222").count() == 1


def test_a_known_person_is_reused_not_duplicated(world, staff):
    from phongdich.people.services import person_register

    known, _ = person_register(
        by=staff.commune_worker_a,
        full_name="Lê Thị Tiếp",
        birth_year=1985,
        phone="0913111222",
        commune=world.commune_a,
    )
    case = builders.case(world, staff.commune_worker_a)
    contact = builders.contact(
        world, staff.commune_worker_a, source_case=case, full_name="Le Thi Tiep"
    )
    assert contact.person_id == known.pk
    assert Person.objects.filter(phone="+84913111222").count() == 1


def test_a_weak_match_is_shown_not_reused(world, staff):
    from phongdich.people.services import person_register

    person_register(
        by=staff.commune_worker_a,
        full_name="Lê Thị Tiếp",
        birth_year=1985,
        phone="0913111222",
        commune=world.commune_a,
    )
    weak = services.weak_candidates(
        by=staff.commune_worker_a,
        identity=builders.identity(world, full_name="Trần Văn Khác", birth_year=1990),
    )
    assert [c.reason for c in weak] == ["phone"]


def test_a_person_of_another_commune_is_not_reused_across_the_boundary(world, staff):
    from phongdich.people.models import MatchReferral
    from phongdich.people.services import person_register

    b_person, _ = person_register(
        by=staff.commune_worker_b,
        full_name="Lê Thị Tiếp",
        birth_year=1985,
        phone="0913111222",
        commune=world.commune_b,
    )
    case = builders.case(world, staff.commune_worker_a)
    contact = builders.contact(world, staff.commune_worker_a, source_case=case)
    assert contact.person_id != b_person.pk
    assert MatchReferral.objects.filter(owner_unit=world.commune_b).exists()


def test_f2_of_an_f1_and_no_f3(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    f1 = builders.contact(world, staff.commune_worker_a, source_case=case)
    f2 = builders.contact(
        world,
        staff.commune_worker_a,
        source_contact=f1,
        full_name="Hoàng Văn Hai",
        phone="0913000999",
    )
    assert (f2.generation, f2.source_contact_id) == (2, f1.pk)
    with pytest.raises(ValidationError):
        builders.contact(
            world, staff.commune_worker_a, source_contact=f2, full_name="Vũ Ba", phone="0913000888"
        )


def test_the_source_is_not_its_own_contact(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    with pytest.raises(ValidationError):
        services.contact_add(
            by=staff.commune_worker_a,
            person=case.person,
            source_case=case,
            exposure=builders.exposure(),
        )


def test_status_moves_forward_only(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    contact = builders.contact(world, staff.commune_worker_a, source_case=case)
    contact = services.contact_set_status(
        by=staff.commune_worker_a, contact=contact, status="notified"
    )
    assert contact.notified_at is not None
    with pytest.raises(ValidationError):
        services.contact_set_status(by=staff.commune_worker_a, contact=contact, status="listed")


def _case_of(world, by, person):
    from phongdich.cases import rules
    from phongdich.cases import services as case_services
    from phongdich.cases.tests.builders import earlier_today

    case, _created = case_services.case_register(
        by=by,
        person=person,
        commune=world.commune_a,
        evidence=[rules.LabEvidence("pcr", True, earlier_today(1))],
    )
    return case


def test_a_contact_who_becomes_a_case_is_linked(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    contact = builders.contact(world, staff.commune_worker_a, source_case=case)
    new_case = _case_of(world, staff.commune_worker_a, contact.person)
    contact.refresh_from_db()
    assert (contact.became_case_id, contact.status) == (new_case.pk, "became_case")


def test_quarantine_goes_through_the_quarantine_contract(world, staff):
    from datetime import date

    from phongdich.quarantine.models import Quarantine

    case = builders.case(world, staff.commune_worker_a)
    contact = builders.contact(world, staff.commune_worker_a, source_case=case)
    Contact.objects.filter(pk=contact.pk).update(exposure_date=date(2021, 12, 20))
    contact.refresh_from_db()
    contact, quarantine = services.contact_quarantine(
        by=staff.commune_worker_a, contact=contact, start=date(2021, 12, 21)
    )
    assert contact.status == "quarantined" and contact.quarantined_at is not None
    assert Quarantine.objects.get(person=contact.person).basis == "f1"
    with pytest.raises(ValidationError):  # already quarantined: the status cannot move there again
        services.contact_quarantine(
            by=staff.commune_worker_a, contact=contact, start=date(2021, 12, 21)
        )
