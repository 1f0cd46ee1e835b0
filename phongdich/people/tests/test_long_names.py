"""A full name as long as its column always fits the search keys derived from it."""

from phongdich.lib.bounds import max_length
from phongdich.people import services
from phongdich.people.models import Person


def test_a_name_with_one_very_long_word_is_stored(world, staff):
    full_name = "Nguyễn " + "a" * (max_length(Person, "full_name") - len("Nguyễn "))
    person, _created = services.person_register(
        by=staff.province_admin,
        full_name=full_name,
        birth_year=1990,
        commune=world.commune_a,
    )
    person.refresh_from_db()
    assert person.full_name == full_name
    assert len(person.given_key) <= max_length(Person, "given_key")
    assert len(person.name_key) <= max_length(Person, "name_key")
    assert person.given_key.startswith("aaaa")
