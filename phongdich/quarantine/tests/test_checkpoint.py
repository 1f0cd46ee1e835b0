"""A returnee handed over at a checkpoint gets the same Quarantine record as a traced F1:
the hand-over opens it directly, and checkpoints writes no home quarantine of its own."""

from datetime import date

import pytest

from phongdich.checkpoints import services as checkpoints
from phongdich.checkpoints.models import HomeQuarantine
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


def test_a_checkpoint_hand_over_opens_the_persons_quarantine(world, staff):
    quarantine = _start(world, staff)
    assert isinstance(quarantine, Quarantine)
    assert quarantine.basis == Basis.RETURNEE and quarantine.handover_id is not None
    # 2022-early, two doses: five days at home from the arrival day, the row's test days
    assert (quarantine.start_date, quarantine.planned_end) == (date(2022, 3, 1), date(2022, 3, 5))
    assert quarantine.policy_key == "2022-early"
    assert quarantine.test_dates and all(d >= "2022-03-01" for d in quarantine.test_dates)
    assert not HomeQuarantine.objects.exists()
    # The same person traced as an F1 afterwards keeps that one record.
    same, created = services.quarantine_open(
        by=staff.commune_worker_a,
        person=quarantine.person,
        basis=Basis.F1,
        start=date(2022, 3, 1),
        commune=world.commune_a,
    )
    assert (same.pk, created) == (quarantine.pk, False)


def test_a_traced_f1_handed_over_later_keeps_one_record(world, staff):
    handover = cp.handover(world, staff, vaccine_doses=2)
    traced, _created = services.quarantine_open(
        by=staff.commune_worker_a,
        person=handover.person,
        basis=Basis.F1,
        start=date(2022, 2, 27),
        commune=world.commune_a,
    )
    checkpoints.handover_confirm(by=staff.commune_worker_a, handover=handover)
    quarantine = checkpoints.quarantine_start(
        by=staff.commune_worker_a, handover=handover, on=date(2022, 3, 1)
    )
    assert quarantine.pk == traced.pk
    assert Quarantine.objects.filter(person=handover.person, status=Status.ACTIVE).count() == 1


def test_a_returnee_whose_row_gives_no_quarantine_is_still_followed(world, staff):
    """A row with no days at home for their group (self-monitoring only) still opens the
    record the commune follows, as checkpoints' "cách ly/theo dõi tại nhà" did; a traced F1
    under the same row is refused."""
    from phongdich.checkpoints.models import QuarantineGroupRow

    QuarantineGroupRow.objects.filter(policy__key="2022-early").update(
        home_days=0, centralised_days=0
    )
    quarantine = _start(world, staff)
    assert quarantine.start_date == quarantine.planned_end == date(2022, 3, 1)
    assert quarantine.monitoring_end > quarantine.planned_end
    other = cp.handover(world, staff, full_name="Lê Văn Khác", phone="0912333444")
    with pytest.raises(Exception, match="không phải cách ly"):
        services.quarantine_open(
            by=staff.commune_worker_a,
            person=other.person,
            basis=Basis.F1,
            start=date(2022, 3, 1),
            commune=world.commune_a,
        )


def test_a_hand_over_not_yet_arrived_opens_nothing(world, staff):
    handover = cp.handover(world, staff)
    with pytest.raises(Exception, match="Cần xác nhận người đã đến"):
        checkpoints.quarantine_start(by=staff.commune_worker_a, handover=handover)
    assert not Quarantine.objects.exists()
