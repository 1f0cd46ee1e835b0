"""The data migration that moves older checkpoints.HomeQuarantine rows (made before the
quarantine app mirrored them) onto the one Quarantine record: nothing lost, idempotent."""

import importlib
from datetime import date, datetime, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.checkpoints.models import HomeQuarantine, QuarantineCheck
from phongdich.quarantine import services
from phongdich.quarantine.models import Basis, DailyCheck, Quarantine, Status

from . import builders

pytestmark = pytest.mark.django_db
migration = importlib.import_module("phongdich.quarantine.migrations.0002_home_quarantine_rows")


def _old_home(world, staff, person, *, start=date(2022, 3, 1), days=7, **values):
    """A row as checkpoints wrote it before the mirror existed (no Quarantine made)."""
    return HomeQuarantine.objects.create(
        person=person,
        commune=world.commune_a,
        address="12 Lê Lai",
        policy_key="2022-early",
        policy_source="Công văn của Bộ Y tế (2022)",
        group_label="Đã tiêm đủ",
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        monitoring_end=start + timedelta(days=days + 2),
        test_dates=[(start + timedelta(days=days - 1)).isoformat()],
        created_by=staff.commune_worker_a,
        **values,
    )


def _check(home, at, **values):
    check = QuarantineCheck.objects.create(quarantine=home, **values)
    QuarantineCheck.objects.filter(pk=check.pk).update(at=at)
    return check


def _run():
    return migration.move_home_quarantines(apps)


def test_an_active_row_becomes_an_active_record_with_its_checks(world, staff):
    person = builders.person(world, staff)
    home = _old_home(world, staff, person)
    moment = timezone.make_aware(datetime(2022, 3, 2, 8, 30))
    _check(home, moment, temperature="37.1", symptoms=["cough"], note="ho nhẹ")
    assert _run() == {"moved": 1, "extended": 0}
    record = Quarantine.objects.get(person=person)
    assert (record.basis, record.status, record.place) == (Basis.RETURNEE, Status.ACTIVE, "home")
    assert (record.start_date, record.planned_end, record.monitoring_end) == (
        home.start_date,
        home.end_date,
        home.monitoring_end,
    )
    assert (record.policy_key, record.policy_source, record.group_label) == (
        home.policy_key,
        home.policy_source,
        home.group_label,
    )
    assert record.test_dates == home.test_dates and record.address == "12 Lê Lai"
    assert record.created_at == home.created_at and record.last_check_at == moment
    check = DailyCheck.objects.get(quarantine=record)
    assert (check.at, str(check.temperature), check.symptoms, check.note) == (
        moment,
        "37.1",
        ["cough"],
        "ho nhẹ",
    )
    assert AuditEvent.objects.filter(action="quarantine.migrate_home").count() == 1


@pytest.mark.parametrize(
    ("released_on", "status"),
    [
        (date(2022, 3, 6), Status.RELEASED_EARLY),  # the day before the end date
        (date(2022, 3, 7), Status.COMPLETED),  # the end date itself
    ],
)
def test_a_released_row_ends_the_same_way(world, staff, released_on, status):
    person = builders.person(world, staff)
    released_at = timezone.make_aware(datetime.combine(released_on, datetime.min.time()))
    _old_home(
        world,
        staff,
        person,
        status=HomeQuarantine.Status.RELEASED,
        released_at=released_at,
        released_by=staff.commune_worker_a,
    )
    _run()
    record = Quarantine.objects.get(person=person)
    assert (record.status, record.ended_at, record.ended_by) == (
        status,
        released_at,
        staff.commune_worker_a,
    )


def test_running_it_again_adds_nothing(world, staff):
    _old_home(world, staff, builders.person(world, staff))
    _old_home(
        world,
        staff,
        builders.person(world, staff, full_name="Trần Thị Hai", phone="0912000222", id_number=""),
        status=HomeQuarantine.Status.RELEASED,
    )
    assert _run()["moved"] == 2
    records = Quarantine.objects.count()
    assert _run() == {"moved": 0, "extended": 0}
    assert Quarantine.objects.count() == records == 2


def test_a_row_the_mirror_already_made_is_skipped(world, staff):
    person = builders.person(world, staff)
    home = _old_home(world, staff, person)
    # what the mirror (checkpoints writing both, before the hand-over opened the record
    # directly) made of it
    Quarantine.objects.create(
        person=home.person,
        basis=Basis.RETURNEE,
        exposure_date=home.start_date,
        place="home",
        commune=home.commune,
        start_date=home.start_date,
        planned_end=home.end_date,
        monitoring_end=home.monitoring_end,
        handover_id=home.handover_id,
    )
    assert _run()["moved"] == 0
    assert Quarantine.objects.filter(person=person).count() == 1


def test_a_person_already_in_quarantine_keeps_one_active_record_extended(world, staff):
    person = builders.person(world, staff)
    current, _created = services.quarantine_open(
        by=staff.commune_worker_a,
        person=person,
        basis=Basis.F1,
        start=builders.IN_10696,
        commune=world.commune_a,
        doses=2,
    )
    later_end = current.planned_end + timedelta(days=5)
    _old_home(
        world,
        staff,
        person,
        start=current.start_date,
        days=(later_end - current.start_date).days + 1,
    )
    assert _run() == {"moved": 1, "extended": 1}
    active = Quarantine.objects.get(person=person, status=Status.ACTIVE)
    assert active.pk == current.pk and active.planned_end == later_end
    history = Quarantine.objects.exclude(pk=current.pk).get(person=person)
    assert history.status == Status.MOVED and history.planned_end == later_end


def test_the_papers_marks_follow_each_moved_row_by_hand_over(world, staff):
    from phongdich.checkpoints.tests import builders as cp

    papers = importlib.import_module("phongdich.quarantine.migrations.0004_home_papers")
    signed, posted = timezone.now() - timedelta(days=2), timezone.now() - timedelta(days=1)
    handover = cp.handover(world, staff)
    marked = _old_home(
        world,
        staff,
        handover.person,
        handover=handover,
        commitment_signed_at=signed,
        door_sign_posted_at=posted,
    )
    bare = _old_home(world, staff, builders.person(world, staff))
    assert _run()["moved"] == 2
    papers.copy_marks(apps, None)
    moved = Quarantine.objects.get(handover_id=marked.handover_id)
    assert (moved.commitment_signed_at, moved.door_sign_posted_at) == (signed, posted)
    untouched = Quarantine.objects.get(person=bare.person)
    assert untouched.commitment_signed_at is None and untouched.door_sign_posted_at is None
