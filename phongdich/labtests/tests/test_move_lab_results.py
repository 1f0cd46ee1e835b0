"""Migration labtests 0005: every old cases.LabResult becomes (or links to) a labtests sample,
once, whatever odd data the old table holds; the F0 page then shows the moved results."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from phongdich.cases.models import LabResult
from phongdich.cases.tests.builders import make_case
from phongdich.labtests.models import Sample

from . import builders

migration = importlib.import_module("phongdich.labtests.migrations.0005_move_cases_lab_results")

FIELDS = (
    "legacy_result_id",
    "barcode",
    "lab_sample_id",
    "lab",
    "kind",
    "result",
    "supervised",
    "reason",
    "status",
    "person_id",
    "commune_id",
    "case_id",
    "taken_at",
    "resulted_at",
    "taken_by_id",
    "resulted_by_id",
)


def _move():
    migration.move(apps, None)


def _old(world, staff, person, **values):
    row = LabResult.objects.create(
        person=person,
        commune=values.pop("commune", world.commune_a),
        kind=values.pop("kind", "pcr"),
        positive=values.pop("positive", True),
        taken_at=values.pop("taken_at", timezone.now() - timedelta(days=3)),
        created_by=values.pop("created_by", staff.commune_worker_a),
        **values,
    )
    return row


def _snapshot():
    return sorted(Sample.objects.values_list(*FIELDS), key=lambda row: (row[0] or 0, row[1]))


def test_every_field_is_kept_and_the_sample_links_back(world, staff):
    case = make_case(world, staff.commune_worker_a)
    taken = timezone.now() - timedelta(days=2)
    old = _old(world, staff, case.person, case=case, lab="CDC", sample_id="M-1", taken_at=taken)
    _move()
    moved = Sample.objects.get(legacy_result_id=old.pk)
    assert (moved.barcode, moved.lab_sample_id, moved.lab, moved.kind) == (
        "M-1",
        "M-1",
        "CDC",
        "pcr",
    )
    assert (moved.result, moved.status, moved.reason) == ("positive", "resulted", "reported")
    assert (moved.person, moved.commune, moved.case) == (case.person, world.commune_a, case)
    assert moved.taken_at == taken and moved.resulted_at == old.created_at
    assert moved.taken_by == moved.resulted_by == staff.commune_worker_a
    assert moved.ct_value is None and moved.supervised


@pytest.mark.parametrize(
    ("sample_id", "code"),
    [
        ("", "KQ-L{pk}"),  # the station's own entry: no lab id
        ("M" * 40, "M" * 40),  # a tube code's full length still fits
        ("M" * 41, "KQ-L{pk}"),  # a lab id past a tube code's length
        ("M" * 60, "KQ-L{pk}"),  # the old field's full length
    ],
)
def test_a_lab_id_that_is_not_a_usable_tube_code_gets_a_generated_one(
    world, staff, sample_id, code
):
    person = builders.person(world, staff)
    old = _old(world, staff, person, sample_id=sample_id, lab="CDC")
    _move()
    moved = Sample.objects.get(legacy_result_id=old.pk)
    assert moved.barcode == code.format(pk=old.pk)
    assert moved.lab_sample_id == sample_id  # kept whole


def test_odd_rows_move_too(world, staff):
    person = builders.person(world, staff)
    unsupervised = _old(
        world, staff, person, kind="rat", positive=False, supervised=False, created_by=None
    )
    # The same lab id from two labs (the old table allowed it): one tube code each.
    lab_a = _old(world, staff, person, lab="Lab A", sample_id="X-1")
    lab_b = _old(world, staff, person, lab="Lab B", sample_id="X-1")
    # A lab id that is another person's tube code in labtests.
    other = builders.sample(world, staff, barcode="T-9")
    clash = _old(world, staff, person, lab="CDC", sample_id="T-9")
    _move()
    rat = Sample.objects.get(legacy_result_id=unsupervised.pk)
    assert (rat.kind, rat.result, rat.supervised, rat.taken_by, rat.case) == (
        "rat",
        "negative",
        False,
        None,
        None,
    )
    codes = {s.legacy_result_id: s.barcode for s in Sample.objects.filter(lab_sample_id="X-1")}
    assert codes == {lab_a.pk: "X-1", lab_b.pk: f"KQ-L{lab_b.pk}"}
    moved_clash = Sample.objects.get(legacy_result_id=clash.pk)
    assert moved_clash.barcode == f"KQ-L{clash.pk}" and moved_clash.person == person
    other.refresh_from_db()
    assert other.legacy_result_id is None and other.person != person


def test_a_lab_id_that_is_another_rows_generated_code_is_decided_in_pk_order(world, staff):
    """Two rows of one range choosing one code (PostgreSQL's set-based step leaves both to
    the row-by-row path): the earlier keeps it, the later gets its own generated code."""
    person = builders.person(world, staff)
    first = _old(world, staff, person, lab="CDC", sample_id="")
    second = _old(world, staff, person, lab="CDC", sample_id=f"KQ-L{first.pk}")
    third = _old(world, staff, person, lab="CDC", sample_id="Z-1")
    _move()
    codes = dict(Sample.objects.values_list("legacy_result_id", "barcode"))
    assert codes == {
        first.pk: f"KQ-L{first.pk}",
        second.pk: f"KQ-L{second.pk}",
        third.pk: "Z-1",
    }


def test_a_result_labtests_sent_to_the_f0_app_links_its_sample_instead_of_copying(world, staff):
    case = make_case(world, staff.commune_worker_a)
    sample = builders.sample(world, staff, person=case.person, barcode="S-77")
    Sample.objects.filter(pk=sample.pk).update(result="positive", status="resulted", lab="CDC")
    old = _old(world, staff, case.person, case=case, lab="CDC", sample_id="S-77")
    before = Sample.objects.count()
    _move()
    assert Sample.objects.count() == before
    sample.refresh_from_db()
    assert (sample.legacy_result_id, sample.case) == (old.pk, case)
    assert sample.reason == Sample.Reason.SCREENING  # still the team's sample


def test_running_twice_gives_the_same_rows(world, staff, monkeypatch):
    # Batches (and PostgreSQL's id ranges) of two: five rows cross two boundaries.
    monkeypatch.setattr(migration, "BATCH", 2)
    monkeypatch.setattr(migration, "RANGE", 2)
    case = make_case(world, staff.commune_worker_a)
    for n in range(4):
        _old(world, staff, case.person, case=case, lab="CDC", sample_id=f"B-{n}")
    _old(world, staff, case.person, lab="CDC")
    _move()
    first = _snapshot()
    assert len(first) == 5
    _move()
    assert _snapshot() == first


def test_a_run_after_an_interrupted_one_finishes_the_rest(world, staff):
    person = builders.person(world, staff)
    done = _old(world, staff, person, lab="CDC", sample_id="I-1")
    _move()
    rest = _old(world, staff, person, lab="CDC", sample_id="I-2")
    _move()
    assert set(Sample.objects.values_list("legacy_result_id", flat=True)) == {done.pk, rest.pk}


def test_going_back_removes_the_copies_and_keeps_the_teams_samples(world, staff):
    case = make_case(world, staff.commune_worker_a)
    sample = builders.sample(world, staff, person=case.person, barcode="S-78")
    Sample.objects.filter(pk=sample.pk).update(result="positive", status="resulted", lab="CDC")
    _old(world, staff, case.person, case=case, lab="CDC", sample_id="S-78")
    _old(world, staff, case.person, case=case, lab="CDC", sample_id="C-1")
    _move()
    migration.unmove(apps, None)
    assert list(Sample.objects.values_list("barcode", "legacy_result_id")) == [("S-78", None)]


def test_the_f0_page_shows_the_moved_results(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    _old(world, staff, case.person, case=case, lab="CDC Thanh Hóa", sample_id="TH-OLD-1")
    _old(world, staff, case.person, case=case, kind="rat", positive=False, lab="Trạm y tế")
    _move()
    client.force_login(staff.commune_worker_a)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    card = page[page.index('id="results"') :]
    card = card[: card.index("</table>")]
    assert "TH-OLD-1" in card and "CDC Thanh Hóa" in card and "Trạm y tế" in card
    assert card.count("<tr") == 3  # the header and the two moved results
    assert "Dương tính" in card and "Âm tính" in card


def test_a_moved_negative_rapid_test_counts_for_release(world, staff):
    # 250/QĐ-BYT: a negative rapid test from day 7 on ends isolation that day.
    from phongdich.cases import services as case_services
    from phongdich.cases.models import Case

    case = make_case(world, staff.commune_worker_a)
    start = timezone.localdate() - timedelta(days=9)
    Case.objects.filter(pk=case.pk).update(isolation_start=start)
    case.refresh_from_db()
    day = start + timedelta(days=8)
    when = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    _old(world, staff, case.person, case=case, kind="rat", positive=False, taken_at=when)
    assert case_services.release_for(case).on == start + timedelta(days=14)  # not moved yet
    _move()
    assert case_services.release_for(case).on == day
