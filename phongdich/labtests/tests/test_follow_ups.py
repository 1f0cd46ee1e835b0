"""An import's positives (and the results the F0 app or a pool hangs on) are written with the
plain lines and applied after the commit by the worker from durable rows (ResultFollowUp):
never lost, applied once, in the order they were written; pools' results set-based with the
services' outcome. Both import paths run (the COPY path on PostgreSQL, the streamed one
everywhere)."""

import pytest
from django.db import connection
from django.urls import reverse

from phongdich.audit.models import AuditEvent
from phongdich.cases.models import Case
from phongdich.labtests import imports, services
from phongdich.labtests.models import Pool, ResampleOrder, ResultFollowUp, Sample
from phongdich.lib import imports as lib_imports
from phongdich.lib.imports import as_upload
from phongdich.testing import losers, make_staff, make_world, race

from . import builders

HEADER = "Mã mẫu,Kết quả,Ct,Phòng xét nghiệm,Ngày trả kết quả"
PATHS = [True, False]  # copy: the COPY path (PostgreSQL), the streamed path


def _import(by, lines, *, copy=True):
    content = "\n".join([HEADER, *lines]).encode()
    return imports.import_results(
        by=by, upload=as_upload("kq.csv", content), mode=lib_imports.KEEP_GOOD, copy=copy
    )


@pytest.mark.parametrize("copy", PATHS)
def test_an_imported_positive_waits_in_a_row_until_the_worker_applies_it_once(world, staff, copy):
    for code in ("F-1", "F-2", "F-3"):
        builders.sample(world, staff, barcode=code)
    person = Sample.objects.get(barcode="F-2").person
    outcome = _import(
        staff.commune_worker_a,
        ["F-1,âm tính,,CDC,", "F-2,dương tính,20,CDC,", "F-3,âm tính,,CDC,"],
        copy=copy,
    )
    assert (outcome.recorded, outcome.queued) == (3, 1)
    # The result is on record with its follow-up; the F0 app's part has not run yet.
    assert Sample.objects.get(barcode="F-2").result == "positive"
    row = ResultFollowUp.objects.get()
    assert (row.sample.barcode, row.batch, row.done_at) == ("F-2", outcome.batch, None)
    assert not Case.objects.filter(person=person).exists()
    assert services.result_follow_ups_drain() == 1
    case = Case.objects.get(person=person)  # registered by the F0 app's own path
    assert Sample.objects.get(barcode="F-2").case_id == case.pk
    assert ResultFollowUp.objects.get().done_at is not None
    assert AuditEvent.objects.filter(action="labtests.result_record").count() == 1
    # A second run (the periodic job after the woken worker) applies nothing again.
    assert services.result_follow_ups_drain() == 0
    assert Case.objects.filter(person=person).count() == 1


def test_a_result_written_meanwhile_waits_behind_the_persons_follow_up(world, staff):
    """The import's positive waits for the worker; the lab posts the person's next
    negative meanwhile: applied now it would find no case (the positive's is not open yet).
    It waits behind, and the worker applies both in order: the negative joins the case."""
    person = builders.person(world, staff)
    builders.sample(world, staff, person=person, barcode="W-1")
    second = builders.sample(world, staff, person=person, barcode="W-2")
    _import(staff.commune_worker_a, ["W-1,dương tính,20,CDC,"])
    services.sample_result_record(
        by=staff.commune_worker_a, sample=second, result="negative", lab="CDC"
    )
    assert ResultFollowUp.objects.filter(done_at=None).count() == 2
    assert services.result_follow_ups_drain() == 2
    case = Case.objects.get(person=person)
    assert set(Sample.objects.filter(person=person).values_list("case_id", flat=True)) == {case.pk}


def test_without_a_waiting_follow_up_a_result_is_applied_at_once(world, staff):
    sample = builders.sample(world, staff, barcode="N-1")
    services.sample_result_record(
        by=staff.commune_worker_a, sample=sample, result="positive", lab="CDC"
    )
    assert not ResultFollowUp.objects.exists()
    assert Case.objects.filter(person=sample.person).exists()


def test_a_follow_up_that_fails_is_kept_with_its_error_and_the_next_ones_go_on(
    world, staff, monkeypatch, client
):
    for code in ("E-1", "E-2"):
        builders.sample(world, staff, barcode=code)
    outcome = _import(staff.commune_worker_a, ["E-1,dương tính,,CDC,", "E-2,dương tính,,CDC,"])
    real = services._to_cases

    def fail_first(*, by, sample):
        if sample.barcode == "E-1":
            raise RuntimeError("the F0 app is down")
        return real(by=by, sample=sample)

    monkeypatch.setattr(services, "_to_cases", fail_first)
    for _attempt in range(services.FOLLOW_UP_ATTEMPTS):
        services.result_follow_ups_drain()
    failed = ResultFollowUp.objects.get(sample__barcode="E-1")
    assert (failed.done_at, failed.attempts, failed.error) == (
        None,
        services.FOLLOW_UP_ATTEMPTS,
        "the F0 app is down",
    )
    assert ResultFollowUp.objects.get(sample__barcode="E-2").done_at is not None
    assert services.result_follow_ups_drain() == 0  # left for an operator, not retried forever
    assert services.follow_ups_of(by=staff.commune_worker_a, batch=outcome.batch) == {
        "done": 1,
        "waiting": 0,
        "failed": 1,
    }
    client.force_login(staff.commune_worker_a)
    page = client.get(reverse("labtests:import_follow_ups", args=[outcome.batch]))
    assert page.status_code == 200
    assert "không chuyển được" in page.content.decode()


def test_the_progress_page_is_the_importers_own(world, staff, client):
    builders.sample(world, staff, barcode="G-1")
    outcome = _import(staff.commune_worker_a, ["G-1,dương tính,,CDC,"])
    url = reverse("labtests:import_follow_ups", args=[outcome.batch])
    client.force_login(staff.commune_worker_a)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Đã chuyển: 0; đang chờ: 1." in body and 'http-equiv="refresh"' in body
    services.result_follow_ups_drain()
    assert "Mọi kết quả của tệp đã được chuyển." in client.get(url).content.decode()
    client.force_login(staff.commune_worker_b)
    assert client.get(url).status_code == 404
    client.force_login(staff.commune_worker_a)
    assert client.get(url.replace(outcome.batch[:4], "0000")).status_code == 404


@pytest.mark.parametrize("copy", PATHS)
def test_a_pools_result_orders_members_where_they_live_and_is_audited(world, staff, copy):
    positive = builders.pool(world, staff, code="PL-P", members=2)
    elsewhere = builders.person(world, staff, commune=world.commune_b)
    builders.sample(world, staff, pool=positive, person=elsewhere)
    negative = builders.pool(world, staff, code="PL-N", members=2)
    builders.pool(world, staff, code="PL-E")  # no member: the services' message
    outcome = _import(
        staff.commune_worker_a,
        ["PL-P,dương tính,25,CDC,", "PL-N,âm tính,,CDC,", "PL-E,âm tính,,CDC,"],
        copy=copy,
    )
    assert outcome.recorded == 2
    assert [e["line"] for e in outcome.errors.entries] == [4]
    assert Pool.objects.get(pk=positive.pk).status == Pool.Status.POSITIVE_AWAITING
    orders = {o.person_id: o.commune_id for o in ResampleOrder.objects.filter(pool=positive)}
    assert len(orders) == 3 and orders[elsewhere.pk] == world.commune_b.pk
    members = Sample.objects.filter(pool=negative)
    assert all(m.result == "negative" and m.presumptive for m in members)
    assert set(
        AuditEvent.objects.filter(action="labtests.pool_result").values_list("target_id", flat=True)
    ) == {str(positive.pk), str(negative.pk)}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_apply_each_follow_up_once():
    if connection.vendor != "postgresql":
        pytest.skip("real threads need PostgreSQL")
    world = make_world()
    staff = make_staff(world)
    codes = [f"T-{n}" for n in range(12)]
    for code in codes:
        builders.sample(world, staff, barcode=code)
    people = set(Sample.objects.values_list("person_id", flat=True))
    outcome = _import(staff.commune_worker_a, [f"{c},dương tính,,CDC," for c in codes])
    assert outcome.queued == len(codes)
    outcomes = race([services.result_follow_ups_drain] * 3)
    assert not losers(outcomes), losers(outcomes)
    assert sum(value for _kind, value in outcomes) == len(codes)
    assert Case.objects.filter(person__in=people).count() == len(people)
    assert not ResultFollowUp.objects.filter(done_at=None).exists()
