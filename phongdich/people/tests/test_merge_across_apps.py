"""A merge moves the duplicate's case, tickets and declarations to the kept record, whatever
app they live in (people.services.person_merge walks Django's relation registry)."""

import pytest
from django.apps import apps

from phongdich.audit.models import AuditEvent
from phongdich.people import services
from phongdich.people.services.merge import _relations_to_person


def _installed(*labels):
    return all(apps.is_installed(f"phongdich.{label}") for label in labels)


@pytest.mark.skipif(
    not _installed("cases", "hotline", "checkpoints"),
    reason="needs the cases, hotline and checkpoints apps",
)
def test_merge_moves_records_of_every_app(world, staff):
    from phongdich.cases.models import Case
    from phongdich.cases.tests.builders import make_case
    from phongdich.checkpoints.models import Declaration
    from phongdich.checkpoints.tests.builders import declaration
    from phongdich.hotline.models import Ticket
    from phongdich.hotline.services import ticket_create

    keep, _ = services.person_register(
        by=staff.province_admin,
        full_name="Lê Văn Khoa",
        birth_year=1975,
        phone="0915000111",
        commune=world.commune_a,
    )
    case = make_case(world, staff.province_admin, name="Le Van Khoa", birth_year=1975)
    duplicate = case.person
    assert duplicate.pk != keep.pk
    ticket = ticket_create(
        by=staff.hotline_agent,
        channel="phone",
        category="f0_advice",
        text="Hỏi về thuốc",
        person=duplicate,
        commune=world.commune_a,
    )
    decl, _raw = declaration(
        world.commune_a, full_name="Le Van Khoa", birth_year=1975, phone=duplicate.phone
    )
    assert decl.person_id == duplicate.pk

    # The merge must have something to move, or this test could not fail.
    # Hidden relations (related_name="+": a declaration's link, a quarantine) count too.
    relations = [r for r in _relations_to_person() if r.remote_field.name != "merged_into"]
    before = {
        r.related_model._meta.label_lower: r.related_model.objects.filter(
            **{r.field.name: duplicate}
        ).count()
        for r in relations
    }
    for label in ("cases.case", "hotline.ticket", "checkpoints.declaration"):
        assert before[label] >= 1, label

    services.person_merge(by=staff.province_admin, keep=keep, duplicate=duplicate)

    event = AuditEvent.objects.get(action="person.merge")
    # The coverage summary is a cache both records hold: the duplicate's row is dropped as a
    # repeat (MERGE_DROPS_REPEATS) and the kept one recomputed, not moved.
    cached = {"vaccination.personstatus"}
    assert event.changes["moved"] == {
        label: n for label, n in before.items() if n and label not in cached
    }
    assert Case.objects.get(pk=case.pk).person_id == keep.pk
    assert Ticket.objects.get(pk=ticket.pk).person_id == keep.pk
    assert Declaration.objects.get(pk=decl.pk).person_id == keep.pk
    for relation in relations:
        assert not relation.related_model.objects.filter(
            **{relation.field.name: duplicate}
        ).exists(), relation.related_model._meta.label


def _two_records(world, staff):
    keep, _ = services.person_register(
        by=staff.province_admin,
        full_name="Trần Thị Mai",
        birth_year=1980,
        phone="0915000222",
        commune=world.commune_a,
    )
    duplicate, _ = services.person_register(
        by=staff.province_admin,
        full_name="Tran Thi Mai",
        birth_year=1980,
        phone="0915000333",
        commune=world.commune_a,
        force_new=True,
    )
    assert keep.pk != duplicate.pk
    return keep, duplicate


def _quarantine(world, *people):
    """An open home quarantine for each: one person may have only one open."""
    from datetime import timedelta

    from django.utils import timezone

    from phongdich.quarantine.models import Quarantine

    today = timezone.localdate()
    for person in people:
        Quarantine.objects.create(
            person=person,
            basis="f1",
            exposure_date=today,
            place="home",
            commune=world.commune_a,
            start_date=today,
            planned_end=today + timedelta(days=7),
            monitoring_end=today + timedelta(days=14),
        )


@pytest.mark.skipif(not _installed("vaccination"), reason="needs the vaccination app")
def test_merge_keeps_one_reminder_per_dose_when_both_records_were_reminded(world, staff):
    from datetime import date

    from phongdich.vaccination.models import DoseReminder

    keep, duplicate = _two_records(world, staff)
    for person in (keep, duplicate):
        DoseReminder.objects.create(
            person=person, dose_number=2, due_on=date(2021, 11, 1), to=person.phone
        )
    DoseReminder.objects.create(
        person=duplicate, dose_number=3, due_on=date(2022, 4, 1), to=duplicate.phone
    )
    services.person_merge(by=staff.province_admin, keep=keep, duplicate=duplicate)
    assert sorted(DoseReminder.objects.values_list("person_id", "dose_number")) == [
        (keep.pk, 2),
        (keep.pk, 3),
    ]


@pytest.mark.skipif(not _installed("quarantine"), reason="needs the quarantine app")
def test_merge_of_two_records_both_in_quarantine_is_refused_with_a_message(world, staff):
    from django.core.exceptions import ValidationError

    from phongdich.quarantine.models import Quarantine

    keep, duplicate = _two_records(world, staff)
    _quarantine(world, keep, duplicate)
    with pytest.raises(ValidationError) as refused:
        services.person_merge(by=staff.province_admin, keep=keep, duplicate=duplicate)
    assert "Không gộp được" in str(refused.value)
    assert Quarantine.objects.filter(person=duplicate).count() == 1  # nothing lost


@pytest.mark.skipif(not _installed("quarantine"), reason="needs the quarantine app")
@pytest.mark.django_db(transaction=True)
def test_a_refused_merge_from_the_page_changes_nothing_and_never_answers_500(client):
    """Outside a test's own transaction, as in production (no ATOMIC_REQUESTS): the merge
    is one transaction, so its row locks are legal on PostgreSQL and a refusal found late
    (both records in quarantine) undoes what the merge had already moved (the referral
    between the two, closed as merged first)."""
    from phongdich.people.models import MatchReferral
    from phongdich.testing import make_staff, make_world

    world = make_world()
    staff = make_staff(world)
    keep, duplicate = _two_records(world, staff)
    referral = MatchReferral.objects.create(
        existing=keep,
        new_person=duplicate,
        reason=MatchReferral.Reason.PHONE_NAME_YEAR,
        owner_unit=world.commune_a,
        requesting_unit=world.commune_a,
    )
    _quarantine(world, keep, duplicate)
    client.force_login(staff.province_admin)
    response = client.post(f"/people/{keep.pk}/merge/", {"duplicate_id": duplicate.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    duplicate.refresh_from_db()
    assert referral.status == MatchReferral.Status.OPEN
    assert duplicate.merged_into is None
    assert not AuditEvent.objects.filter(action="person.merge").exists()
