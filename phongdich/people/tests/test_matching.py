import pytest
from django.core.exceptions import ValidationError

from phongdich.audit.models import AuditEvent
from phongdich.people import services
from phongdich.people.models import Person


@pytest.fixture
def existing(world, staff):
    person, created = services.person_register(
        by=staff.province_admin,
        full_name="Nguyễn Văn An",
        birth_year=1980,
        phone="0912345678",
        id_number="038080001234",
        commune=world.commune_a,
    )
    assert created
    return person


# (description, registration arguments, same person expected?)
MATCH_TABLE = [
    (
        "same CCCD, other name and phone",
        {"full_name": "Nguyen An", "id_number": "038080001234", "phone": "0987654321"},
        True,
    ),
    (
        "same phone, folded name and birth year",
        {"full_name": "nguyen van an", "birth_year": 1980, "phone": "+84 912 345 678"},
        True,
    ),
    (
        "same phone and name, other birth year",
        {"full_name": "Nguyễn Văn An", "birth_year": 2010, "phone": "0912345678"},
        False,
    ),
    (
        "same phone, other name (a relative)",
        {"full_name": "Nguyễn Thị Bình", "birth_year": 1980, "phone": "0912345678"},
        False,
    ),
    (
        "same name and birth year, no phone",
        {"full_name": "Nguyễn Văn An", "birth_year": 1980},
        False,
    ),
    (
        "different CCCD",
        {"full_name": "Nguyễn Văn An", "birth_year": 1980, "id_number": "038080009999"},
        False,
    ),
]


@pytest.mark.parametrize("label, arguments, same", MATCH_TABLE, ids=[r[0] for r in MATCH_TABLE])
def test_it_matches_on_registration(existing, staff, world, label, arguments, same):
    person, created = services.person_register(
        by=staff.province_admin, commune=world.commune_a, **arguments
    )
    assert (person.pk == existing.pk) is same
    assert created is not same
    assert Person.objects.count() == (1 if same else 2)


def test_it_shows_weak_candidates_without_merging(existing, world, staff):
    candidates = services.person_candidates(
        by=staff.commune_worker_a,
        full_name="Nguyễn Thị Bình",
        birth_year=1975,
        phone="0912345678",
        commune=world.commune_a,
    )
    assert [(c.person, c.reason, c.strong) for c in candidates] == [(existing, "phone", False)]
    assert Person.objects.count() == 1


def test_it_fills_missing_facts_on_a_strong_match(existing, staff):
    existing.address = ""
    existing.save()
    person, created = services.person_register(
        by=staff.province_admin,
        full_name="Nguyễn Văn An",
        id_number="038080001234",
        address="Thôn 5",
    )
    assert not created
    person.refresh_from_db()
    assert person.address == "Thôn 5"
    assert AuditEvent.objects.filter(action="person.update", target_id=str(person.pk)).exists()


def test_it_refuses_an_invalid_phone(world, staff):
    with pytest.raises(ValidationError):
        services.person_register(by=staff.province_admin, full_name="A", phone="0112345678")


def test_force_new_never_duplicates_a_cccd(existing, staff):
    person, created = services.person_register(
        by=staff.province_admin, full_name="Khác", id_number="038080001234", force_new=True
    )
    assert person == existing and not created


def test_it_audits_every_registration(world, staff):
    person, _ = services.person_register(
        by=staff.commune_worker_a, full_name="Lê Thị Hoa", birth_year=1999, commune=world.commune_a
    )
    event = AuditEvent.objects.get(action="person.create")
    assert event.actor == staff.commune_worker_a
    assert event.target_id == str(person.pk)
