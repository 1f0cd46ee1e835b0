"""Four tracers recording the same contact at once make one contact (threads on PostgreSQL)."""

import pytest

from phongdich.testing import losers, make_staff, make_world, race
from phongdich.tracing import services
from phongdich.tracing.models import Contact

from . import builders


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_recordings_of_one_contact_make_one():
    world = make_world()
    staff = make_staff(world)
    case = builders.case(world, staff.commune_worker_a)
    identity = builders.identity(world)

    def record():
        person = services.contact_person(by=staff.commune_worker_a, identity=identity)
        return services.contact_add(
            by=staff.commune_worker_a, person=person, source_case=case, exposure=builders.exposure()
        )

    outcomes = race([record] * 4)
    assert not losers(outcomes), losers(outcomes)
    assert Contact.objects.count() == 1
    assert sorted(created for _status, (_contact, created) in outcomes) == [
        False,
        False,
        False,
        True,
    ]
