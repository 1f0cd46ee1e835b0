"""Simultaneous registrations of one CCCD make one person (threads on PostgreSQL)."""

import pytest

from phongdich.people import services
from phongdich.people.models import Person
from phongdich.testing import losers, make_staff, make_world, race, winners


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_registrations_of_one_cccd_make_one_person():
    world = make_world()
    staff = make_staff(world)

    def register(i):
        return services.person_register(
            by=staff.commune_worker_a,
            full_name=["Phan Văn Tư", "Phan Van Tu", "Phan Tư", "P. V. Tư"][i],
            id_number="038085000444",
            phone=f"098800011{i}",
            commune=world.commune_a,
        )

    outcomes = race([lambda i=i: register(i) for i in range(4)])
    assert not losers(outcomes), losers(outcomes)
    outcomes = winners(outcomes)
    assert Person.objects.count() == 1
    assert sorted(created for _person, created in outcomes) == [False, False, False, True]


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_registrations_of_one_phone_name_and_year_make_one_person():
    world = make_world()
    staff = make_staff(world)

    def register(i):
        return services.person_register(
            by=staff.commune_worker_a,
            full_name="Vương Thị Hằng",
            birth_year=1993,
            phone="0988000222",
            commune=world.commune_a,
        )

    race([lambda i=i: register(i) for i in range(4)])
    assert Person.objects.count() == 1
