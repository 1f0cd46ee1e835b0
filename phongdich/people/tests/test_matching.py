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


def test_candidates_take_one_statement_and_keep_the_first_twenty_of_each_kind(
    world, staff, django_assert_num_queries
):
    """One statement for every kind of match (issue 17; it was one per kind), with each
    kind still capped at its first 20 by pk: the same phone, then the same name and birth
    year in the commune. The one sharing both after the phone's first 20 counts once, by
    name and year, as before."""

    def person(full_name, phone=""):
        row = Person(full_name=full_name, phone=phone, birth_year=1990, commune=world.commune_a)
        row.refresh_keys()
        return row

    same_phone = Person.objects.bulk_create(
        [person(f"Trần Văn Số {i}", "+84912000111") for i in range(25)]
    )
    both = Person.objects.bulk_create([person("Lê Thị Hoa", "+84912000111")])
    same_name = Person.objects.bulk_create([person("Lê Thị Hoa") for _ in range(25)])
    with django_assert_num_queries(1):
        found = services.person_candidates(
            by=staff.province_admin,
            full_name="Lê Thị Hoa",
            birth_year=1990,
            phone="0912000111",
            commune=world.commune_a,
        )
    by_phone = [c.person.pk for c in found if c.reason == "phone"]
    by_name = [c.person.pk for c in found if c.reason == "name_year"]
    assert by_phone == [p.pk for p in same_phone[:20]]
    assert by_name == [p.pk for p in (both + same_name)[:20]]
    assert len(found) == 40 and not any(c.strong for c in found)
    # Inside the phone's first 20, the same name and year is a strong match, shown first.
    Person.objects.filter(pk__in=[p.pk for p in same_phone[:6]]).delete()
    found = services.person_candidates(
        by=staff.province_admin,
        full_name="Lê Thị Hoa",
        birth_year=1990,
        phone="0912000111",
        commune=world.commune_a,
    )
    assert (found[0].person.pk, found[0].reason, found[0].strong) == (
        both[0].pk,
        "phone_name_year",
        True,
    )


def test_a_registration_without_anything_to_match_asks_nothing(
    world, staff, django_assert_num_queries
):
    from phongdich.people.services.matching import MatchScope, _all_candidates

    scope = MatchScope.for_caller(staff.province_admin)
    with django_assert_num_queries(0):
        found = _all_candidates(
            full_name="Lê Thị Hoa",
            birth_year=None,
            phone="",
            id_number=None,
            commune=None,
            scope=scope,
        )
    assert found == []


def test_an_account_without_a_jurisdiction_matches_nobody_even_by_cccd(existing, world):
    """Its scope holds nobody: no candidate, and a registration with a CCCD held elsewhere
    keeps it back on a new record (the one-statement candidates once sent PostgreSQL an
    integer where the 'claimed CCCD' column wanted a boolean for such a scope)."""
    from phongdich.accounts.models import Role
    from phongdich.testing import make_user

    nobody = make_user("khong.dia.ban", Role.COMMUNE_HEALTH_WORKER, None)
    arguments = {"full_name": "Nguyễn Văn An", "birth_year": 1980, "id_number": "038080001234"}
    assert services.person_candidates(by=nobody, commune=world.commune_a, **arguments) == []
    person, created = services.person_register(by=nobody, commune=world.commune_a, **arguments)
    assert created and person.pk != existing.pk
    assert person.id_number is None and person.claimed_id_number == "038080001234"
