"""The per-person coverage summary (`PersonStatus`) stays what the doses say after every
path that writes doses or people: staff entry, the API, the data-quality queue (match,
register), an unlink deleting a dose, the bulk import (SQLite's and PostgreSQL's decide
paths), a person moved or merged, the demo; and the daily rebuild repairs drift."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.test.utils import CaptureQueriesContext

from phongdich.lib import imports as lib_imports
from phongdich.people.models import Person
from phongdich.people.services import person_merge, person_register
from phongdich.testing import losers, make_staff, make_world, race
from phongdich.vaccination import bulk, coverage, person_status, services
from phongdich.vaccination.models import CoverageFigure, Dose, DoseReview, PersonStatus

from . import builders
from .test_api import _auth, item, post
from .test_bulk import MIXED, _csv, _people

DAY = date(2022, 3, 1)


def expected() -> dict:
    """Every counted person's row as the doses give it, computed in Python."""
    rows = {}
    for person in Person.objects.filter(merged_into__isnull=True, commune__isnull=False):
        doses = list(Dose.objects.filter(person=person).select_related("product"))
        complete = [
            d.given_on
            for d in doses
            if d.kind == "primary" and d.dose_number >= d.product.primary_doses
        ]
        rows[person.pk] = (
            person.commune_id,
            person.birth_year,
            min((d.given_on for d in doses), default=None),
            min(complete, default=None),
            min((d.given_on for d in doses if d.kind == "booster"), default=None),
        )
    return rows


def stored() -> dict:
    return {
        s.person_id: (s.commune_id, s.birth_year, s.first_on, s.complete_on, s.boosted_on)
        for s in PersonStatus.objects.all()
    }


def assert_in_line():
    want = expected()
    assert stored() == want
    return want


def test_staff_entry_and_the_queue_keep_the_summary(world, staff):
    officer = builders.officer(world, unit=world.province)
    person = builders.person(world, staff)
    assert stored()[person.pk][2:] == (None, None, None)  # registered: counted, no dose
    services.dose_record_for_person(
        by=officer, person=person, dose=builders.dose("astrazeneca", 1, date(2021, 8, 1))
    )
    services.dose_record_for_person(
        by=officer, person=person, dose=builders.dose("astrazeneca", 2, date(2021, 10, 1))
    )
    services.dose_record_for_person(
        by=officer, person=person, dose=builders.dose("pfizer", 3, DAY, kind="booster")
    )
    assert stored()[person.pk][2:] == (date(2021, 8, 1), date(2021, 10, 1), DAY)
    # Matched by identity (the form's and the API's path), then through the queue.
    services.dose_record(
        by=officer, identity=builders.identity(world), dose=builders.dose("pfizer", 4, DAY)
    )
    stranger = builders.identity(world, full_name="Hồ Văn Mới", phone="0987000999", id_number="")
    queued = services.dose_record(
        by=officer, identity=stranger, dose=builders.dose("pfizer", 1, date(2021, 9, 9))
    ).review
    other = builders.identity(world, full_name="Lò Thị Lạ", phone="0987000888", id_number="")
    second = services.dose_record(
        by=officer, identity=other, dose=builders.dose("pfizer", 1, date(2021, 9, 10))
    ).review
    assert queued is not None and second is not None
    services.review_register(by=officer, review=queued)
    known = person_register(
        by=officer, full_name="Lò Thị Lạ", birth_year=1990, commune=world.commune_a
    )[0]
    services.review_match(by=officer, review=second, person=known)
    want = assert_in_line()
    assert want[known.pk][2] == date(2021, 9, 10)
    # An unlink deletes the dose from the person: their first dose goes with it.
    services.dose_unlink(by=officer, dose=Dose.objects.get(person=known), reason="Nhầm người")
    assert assert_in_line()[known.pk][2] is None


def test_the_api_keeps_the_summary(client, world, staff):
    person = builders.person(world, staff)
    auth = _auth(staff.district_health_officer_a)
    body = item(world, dose_number=1, given_on="2021-08-02")
    assert post(client, auth, body).status_code == 200
    assert stored()[person.pk][2] == date(2021, 8, 2)
    assert_in_line()


def test_a_person_moved_or_merged_keeps_the_summary(world, staff):
    officer = builders.officer(world, unit=world.province)
    keep = builders.person(world, staff)
    duplicate = person_register(
        by=officer, full_name="Lê Văn Tiêm", birth_year=1980, phone="0987111222",
        commune=world.commune_a, force_new=True,
    )[0]  # fmt: skip
    services.dose_record_for_person(
        by=officer, person=duplicate, dose=builders.dose("pfizer", 1, date(2021, 8, 1))
    )
    duplicate.commune = world.commune_b
    duplicate.save()
    assert stored()[duplicate.pk][0] == world.commune_b.pk
    person_merge(by=officer, keep=keep, duplicate=duplicate)
    want = assert_in_line()
    assert duplicate.pk not in want and want[keep.pk][2] == date(2021, 8, 1)


def test_a_person_registered_counts_at_once_and_unrelated_saves_leave_the_row(world, staff):
    officer = builders.officer(world, unit=world.province)
    person = person_register(
        by=officer, full_name="Trần Thị Mới", birth_year=1990, phone="0987333444",
        commune=world.commune_a, force_new=True,
    )[0]  # fmt: skip
    assert stored()[person.pk] == (world.commune_a.pk, 1990, None, None, None)
    # A save naming none of the fields the row copies costs the summary nothing.
    again = Person.objects.get(pk=person.pk)
    with CaptureQueriesContext(connection) as context:
        again.save(update_fields=["phone"])
    assert context.captured_queries  # the save itself ran
    assert not [q for q in context.captured_queries if "personstatus" in q["sql"]]
    # One naming the commune moves the row.
    person.commune = world.commune_b
    person.save(update_fields=["commune"])
    assert_in_line()
    assert stored()[person.pk][0] == world.commune_b.pk


def test_the_bulk_import_keeps_the_summary(world, staff):
    # SQLite decides in Python (bulk.rows._decide_batch), PostgreSQL set-based (bulk.decide):
    # the suite runs on both, so each path is checked on its own database.
    _people(world, staff)
    before = stored()
    result = bulk.import_doses_bulk(
        by=staff.district_health_officer_a, upload=_csv(MIXED), mode=lib_imports.KEEP_GOOD
    )
    assert result.recorded > 0
    want = assert_in_line()
    assert want != before  # the file's doses moved somebody's dates


def test_without_the_signals_a_dose_would_not_be_seen(world, staff):
    """The maintenance is what keeps it: with the receivers off, the row goes stale (so the
    tests above fail if the calls are removed)."""
    officer = builders.officer(world, unit=world.province)
    person = builders.person(world, staff)
    post_save.disconnect(sender=Dose, dispatch_uid="vaccination-status-dose")
    try:
        services.dose_record_for_person(by=officer, person=person, dose=builders.dose())
    finally:
        post_save.connect(
            person_status._dose_changed, sender=Dose, dispatch_uid="vaccination-status-dose"
        )
    assert stored()[person.pk][2] is None
    assert expected()[person.pk][2] == date(2021, 10, 11)
    # The daily rebuild repairs it, and a second run finds nothing to do.
    assert person_status.refresh_all() >= 1
    assert_in_line()
    if person_status.connection.vendor == "postgresql":
        assert person_status.refresh_all() == 0


def test_the_rebuild_adds_people_loaded_without_signals_and_drops_the_merged(world, staff):
    person = builders.person(world, staff)
    PersonStatus.objects.all().delete()
    Person.objects.filter(pk=person.pk).update(commune=world.commune_b)
    person_status.refresh_all()
    assert stored()[person.pk][0] == world.commune_b.pk
    Person.objects.filter(pk=person.pk).update(commune=None)
    person_status.refresh_all()
    assert person.pk not in stored()


@pytest.mark.parametrize("born", [2017, 2010, 2004, 1972, 1957])
def test_coverage_from_the_summary_agrees_with_the_doses(world, staff, born):
    """Every band boundary (5, 12, 18, 50, 65 on DAY's year): the summary-based refresh gives
    what the Python rollup over the doses gives."""
    officer = builders.officer(world, unit=world.province)
    for offset, phone in ((0, "0911000001"), (1, "0911000002")):
        person = person_register(
            by=officer, full_name=f"Người {born - offset}", birth_year=born - offset,
            phone=phone, commune=world.commune_a,
        )[0]  # fmt: skip
        services.dose_record_for_person(
            by=officer, person=person, dose=builders.dose("pfizer", 1, DAY - timedelta(40))
        )
        services.dose_record_for_person(
            by=officer, person=person, dose=builders.dose("pfizer", 2, DAY - timedelta(14))
        )
    coverage.coverage_refresh(day=DAY)
    reference = coverage.coverage_totals_in_python(DAY, world.province)
    got = {
        (f.unit_id, f.band): [f.population, f.at_least_one, f.full, f.boosted]
        for f in CoverageFigure.objects.filter(day=DAY)
        if f.population
    }
    assert got == reference


@pytest.mark.django_db(transaction=True)
def test_two_doses_of_one_person_at_once_both_count():
    """Two officers enter two different doses of one person at the same moment: each
    recompute waits for the other's person lock, so the row holds both (PostgreSQL)."""
    world = make_world()
    staff = make_staff(world)
    officer = builders.officer(world, unit=world.province)
    person = builders.person(world, staff)
    doses = [builders.dose("pfizer", 1, date(2021, 8, 1)), builders.dose("pfizer", 2, DAY)]
    for _round in range(3):
        Dose.objects.all().delete()
        DoseReview.objects.all().delete()
        outcomes = race(
            [
                lambda dose=dose: services.dose_record_for_person(
                    by=officer, person=person, dose=dose
                )
                for dose in doses
            ]
        )
        assert not losers(outcomes), losers(outcomes)
        assert stored()[person.pk][2:4] == (date(2021, 8, 1), DAY)
    assert post_delete.has_listeners(Dose)


def test_the_demo_leaves_every_person_counted(db):
    from phongdich.demo.services import build_demo

    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    want = assert_in_line()
    counted = Person.objects.filter(merged_into__isnull=True, commune__isnull=False)
    assert len(want) == counted.count() > 0


def test_the_daily_reconciliation_is_audited(world, staff):
    from phongdich.audit.models import AuditEvent

    builders.person(world, staff)
    PersonStatus.objects.all().delete()
    assert person_status.reconcile() == 1
    event = AuditEvent.objects.filter(action="vaccination.person_status_reconcile").get()
    assert event.changes == {"rows": 1}
    assert_in_line()
