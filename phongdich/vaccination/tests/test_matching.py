"""A dose reaches a person only through the registry's matching; anything unsure waits."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from phongdich.audit.models import AuditEvent
from phongdich.people.models import Person
from phongdich.vaccination import services
from phongdich.vaccination.models import Dose, DoseReview

from . import builders


@pytest.fixture
def officer(world):
    return builders.officer(world)


def test_the_same_cccd_is_that_person(world, staff, officer):
    person = builders.person(world, staff)
    typed = builders.identity(world, full_name="Le Van Tiem", phone="", birth_year=None)
    outcome = services.dose_record(by=officer, identity=typed, dose=builders.dose())
    assert outcome.created and outcome.dose.person == person and outcome.review is None
    assert AuditEvent.objects.filter(action="vaccination.dose.record").count() == 1


def test_phone_name_and_birth_year_is_that_person(world, staff, officer):
    person = builders.person(world, staff, id_number="")
    typed = builders.identity(world, id_number="", full_name="LÊ VĂN TIÊM")
    outcome = services.dose_record(by=officer, identity=typed, dose=builders.dose())
    assert outcome.dose.person == person


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        # Same phone, another name: the phone is shared (a family), so only a weak candidate.
        ({"full_name": "Lê Thị Hoa", "id_number": ""}, DoseReview.Reason.WEAK),
        # Same name and birth year in the commune, no phone or CCCD that matches.
        ({"phone": "0987000111", "id_number": ""}, DoseReview.Reason.WEAK),
        # Same phone, name and year, but the record carries another CCCD.
        ({"id_number": "038080009999"}, DoseReview.Reason.WEAK),
        # The CCCD of the record, under another name: a mistyped number as often as not.
        (
            {"full_name": "Trần Văn Khác", "phone": "", "id_number": "038080001234"},
            DoseReview.Reason.WEAK,
        ),
        # Nobody at all.
        (
            {"full_name": "Phạm Văn Mới", "phone": "0987000222", "id_number": ""},
            DoseReview.Reason.NO_MATCH,
        ),
    ],
)
def test_a_weak_match_waits_for_staff(world, staff, officer, typed, reason):
    builders.person(world, staff)
    people = Person.objects.count()
    outcome = services.dose_record(
        by=officer, identity=builders.identity(world, **typed), dose=builders.dose()
    )
    assert outcome.dose is None and outcome.review.reason == reason
    assert Person.objects.count() == people  # never a silent duplicate
    assert Dose.objects.count() == 0  # never a guessed person


def test_strong_matches_naming_two_people_are_a_conflict(world, staff, officer):
    builders.person(world, staff)
    # A namesake of the same year with another phone and no CCCD on record.
    builders.person(world, staff, id_number="", phone="0912000999")
    typed = builders.identity(world, phone="0912000999")
    outcome = services.dose_record(by=officer, identity=typed, dose=builders.dose())
    assert outcome.review.reason == DoseReview.Reason.CONFLICT


def test_recording_twice_changes_nothing(world, staff, officer):
    builders.person(world, staff)
    first = services.dose_record(
        by=officer, identity=builders.identity(world), dose=builders.dose()
    )
    again = services.dose_record(
        by=officer, identity=builders.identity(world), dose=builders.dose()
    )
    assert again.dose == first.dose and not again.created
    weak = builders.identity(world, full_name="Phạm Văn Mới", phone="0987000222", id_number="")
    queued = services.dose_record(by=officer, identity=weak, dose=builders.dose())
    replay = services.dose_record(by=officer, identity=weak, dose=builders.dose())
    assert replay.review == queued.review and not replay.created
    assert (Dose.objects.count(), DoseReview.objects.count()) == (1, 1)


def test_a_source_id_is_recorded_once(world, staff, officer):
    builders.person(world, staff)
    dose = builders.dose(source="imported", source_id="NEN-1")
    services.dose_record(by=officer, identity=builders.identity(world), dose=dose)
    moved = builders.dose(source="imported", source_id="NEN-1", day=date(2021, 10, 12))
    outcome = services.dose_record(by=officer, identity=builders.identity(world), dose=moved)
    assert not outcome.created and Dose.objects.count() == 1


def test_staff_match_a_review_to_a_candidate(world, staff, officer):
    person = builders.person(world, staff, id_number="")
    weak = builders.identity(world, id_number="", phone="0987000111")
    review = services.dose_record(by=officer, identity=weak, dose=builders.dose()).review
    candidates = services.review_candidates(by=officer, review=review)
    assert [c.person for c in candidates] == [person]
    review = services.review_match(by=officer, review=review, person=person)
    assert review.status == DoseReview.Status.MATCHED and review.dose.person == person
    with pytest.raises(Exception, match="đã được xử lý"):
        services.review_match(by=officer, review=review, person=person)


def test_staff_register_the_person_of_a_review(world, staff, officer):
    weak = builders.identity(world, full_name="Phạm Văn Mới", phone="0987000222", id_number="")
    review = services.dose_record(by=officer, identity=weak, dose=builders.dose()).review
    review = services.review_register(by=officer, review=review)
    assert review.status == DoseReview.Status.CREATED
    assert review.dose.person.full_name == "Phạm Văn Mới"
    # Later doses of the same identity now find that person by phone + name + year.
    later = services.dose_record(
        by=officer, identity=weak, dose=builders.dose(n=2, day=date(2021, 11, 1))
    )
    assert later.dose.person == review.dose.person


def test_a_person_outside_the_jurisdiction_is_never_matched(world, staff, officer):
    builders.person(world, staff, commune=world.commune_b)
    # The identity typed into commune A: B's record is neither shown nor written to.
    outcome = services.dose_record(
        by=officer, identity=builders.identity(world), dose=builders.dose()
    )
    assert outcome.dose is None and outcome.review.reason == DoseReview.Reason.NO_MATCH
    assert services.review_candidates(by=officer, review=outcome.review) == []


def test_a_commune_outside_the_jurisdiction_is_refused(world, staff, officer):
    with pytest.raises(PermissionDenied):
        services.dose_record(
            by=officer,
            identity=builders.identity(world, commune=world.commune_b),
            dose=builders.dose(),
        )


def test_a_dose_against_the_rules_is_kept_and_flagged(world, staff, officer):
    person = builders.person(world, staff)
    services.dose_record(by=officer, identity=builders.identity(world), dose=builders.dose())
    early = builders.dose(n=2, day=date(2021, 10, 20))  # 9 days after a Pfizer dose 1
    outcome = services.dose_record(by=officer, identity=builders.identity(world), dose=early)
    assert outcome.dose.flag_list == ["interval_short"] and outcome.dose.person == person
    services.dose_flags_clear(by=officer, dose=outcome.dose)
    outcome.dose.refresh_from_db()
    assert outcome.dose.flags_cleared_by == officer and outcome.dose.flags == "interval_short"


def test_the_seeded_rows_are_the_built_in_tables(db):
    from phongdich.vaccination import rules

    current = services.policy()
    for table in ("products", "intervals", "eligibility", "mixes"):
        assert set(getattr(current, table)) == set(getattr(rules.BUILT_IN, table)), table
