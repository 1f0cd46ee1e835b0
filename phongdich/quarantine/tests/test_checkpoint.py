"""A returnee handed over at a checkpoint gets the same Quarantine record as a traced F1."""

from datetime import date

import pytest

from phongdich.checkpoints import services as checkpoints
from phongdich.checkpoints.tests import builders as cp
from phongdich.quarantine import services
from phongdich.quarantine.models import Basis, Quarantine, Status

pytestmark = pytest.mark.django_db


def _start(world, staff, **values):
    handover = cp.handover(world, staff, vaccine_doses=2, **values)
    checkpoints.handover_confirm(by=staff.commune_worker_a, handover=handover)
    return checkpoints.quarantine_start(
        by=staff.commune_worker_a, handover=handover, on=date(2022, 3, 1)
    )


def test_a_checkpoint_home_quarantine_opens_the_persons_quarantine(world, staff):
    home = _start(world, staff)
    quarantine = Quarantine.objects.get(person=home.person)
    assert quarantine.basis == Basis.RETURNEE and quarantine.handover_id == home.handover_id
    assert (quarantine.start_date, quarantine.planned_end) == (home.start_date, home.end_date)
    assert quarantine.policy_key == home.policy_key == "2022-early"
    assert quarantine.test_dates == home.test_dates
    # The same person traced as an F1 afterwards keeps that one record.
    same, created = services.quarantine_open(
        by=staff.commune_worker_a,
        person=home.person,
        basis=Basis.F1,
        start=date(2022, 3, 1),
        commune=world.commune_a,
    )
    assert (same.pk, created) == (quarantine.pk, False)


def test_checks_and_release_on_the_checkpoint_pages_reach_the_record(world, staff):
    home = _start(world, staff)
    checkpoints.quarantine_check_record(by=None, quarantine=home, temperature="38.2")
    quarantine = Quarantine.objects.get(person=home.person)
    assert quarantine.last_check_at is not None and quarantine.attention_at is not None
    checkpoints.quarantine_release(by=staff.commune_worker_a, quarantine=home)
    quarantine.refresh_from_db()
    assert quarantine.status in (Status.COMPLETED, Status.RELEASED_EARLY)
