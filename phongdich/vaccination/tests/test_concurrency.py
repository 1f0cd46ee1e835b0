"""Simultaneous recordings of one dose make one dose, or one review (threads on PostgreSQL)."""

import pytest

from phongdich.testing import losers, make_staff, make_world, race
from phongdich.vaccination import services
from phongdich.vaccination.models import Dose, DoseReview

from . import builders


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("weak", [False, True])
def test_four_simultaneous_recordings_of_one_dose_make_one(weak):
    world = make_world()
    staff = make_staff(world)
    officer = builders.officer(world)
    builders.person(world, staff)
    typed = (
        builders.identity(world, full_name="Phạm Văn Mới", phone="0987000222", id_number="")
        if weak
        else builders.identity(world)
    )
    dose = builders.dose()
    outcomes = race(
        [lambda: services.dose_record(by=officer, identity=typed, dose=dose) for _ in range(4)]
    )
    assert not losers(outcomes), losers(outcomes)
    assert (Dose.objects.count(), DoseReview.objects.count()) == ((0, 1) if weak else (1, 0))
    assert sorted(outcome.created for _status, outcome in outcomes) == [False, False, False, True]
