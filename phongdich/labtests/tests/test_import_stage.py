"""The COPY path of the result import (imports_stage, PostgreSQL) decides every line as the
streamed path (TableStream, one line's rules in Python): each file is imported both ways in
a rolled-back transaction and the outcome and the database compared. On SQLite both runs
take the streamed path (the comparison then holds trivially; the PostgreSQL run is the
proof, and `test_on_postgresql_a_utf8_csv_goes_through_copy` says which path ran)."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from phongdich.cases.models import Case
from phongdich.labtests import imports, imports_stage, services
from phongdich.labtests.models import Kind, Pool, ResampleOrder, Sample
from phongdich.lib import imports as lib_imports
from phongdich.lib import staging
from phongdich.lib.imports import as_upload
from phongdich.testing import losers, make_staff, make_world, race

from . import builders

HEADER = "Mã mẫu,Kết quả,Ct,Phòng xét nghiệm,Ngày trả kết quả"
MODES = [lib_imports.KEEP_GOOD, lib_imports.ALL_OR_NOTHING]


def _day(days_ago: int = 1) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).strftime("%d/%m/%Y")


def _snapshot(outcome):
    samples = list(
        Sample.objects.order_by("barcode").values_list(
            "barcode",
            "result",
            "status",
            "ct_value",
            "lab",
            "presumptive",
            "resulted_by",
            "case__person",  # a case's id differs between the runs (sequences roll on)
        )
    )
    # An undated line is stamped with the time of the import: compare the dated ones only.
    dated = list(
        Sample.objects.filter(resulted_at__lt=timezone.now() - timedelta(hours=1))
        .order_by("barcode")
        .values_list("barcode", "resulted_at")
    )
    pools = list(Pool.objects.order_by("code").values_list("code", "status", "result", "lab"))
    orders = list(
        ResampleOrder.objects.order_by("pooled_sample__barcode").values_list(
            "pooled_sample__barcode", "status"
        )
    )
    cases = list(Case.objects.order_by("person_id").values_list("person_id", "status"))
    counts = (outcome.recorded, outcome.unchanged, outcome.refusal)
    return (
        counts,
        outcome.errors.entries,
        outcome.errors.total,
        samples,
        dated,
        pools,
        orders,
        cases,
    )


def _run(by, lines, mode, *, copy):
    content = "\n".join([HEADER, *lines]).encode()
    with transaction.atomic():
        outcome = imports.import_results(
            by=by, upload=as_upload("ket-qua.csv", content), mode=mode, copy=copy
        )
        services.result_follow_ups_drain()  # the worker's part, after the commit
        snapshot = _snapshot(outcome)
        transaction.set_rollback(True)
    return snapshot


def _both(by, lines, mode, *, compare=True):
    in_copy, streamed = _run(by, lines, mode, copy=True), _run(by, lines, mode, copy=False)
    for n, (one, other) in enumerate(zip(in_copy, streamed, strict=True)):
        if not compare:
            break
        # Part by part, the rows that differ: a readable failure.
        if isinstance(one, list) and one != other:
            only = [r for r in one if r not in other], [r for r in other if r not in one]
            raise AssertionError(f"part {n}: COPY path only {only[0]}, streamed only {only[1]}")
    return in_copy, streamed


def _samples(world, staff, codes, **values):
    person = values.pop("person", None)
    for code in codes:
        builders.sample(world, staff, barcode=code, person=person, **values)


# Cells at each boundary of the checks imports_stage states in SQL; the second column of
# each pair says whether the line is good.
CELLS = [
    # forms SQL reads itself
    ("C01,âm tính,,CDC,{d}", True),
    ("C02,  Âm   Tính ,,CDC Thanh Hóa,{d}", True),
    ("C03,AM TINH,0,CDC,01/01/2020", True),
    ("C04,neg,45,CDC,1/2/2021", True),
    ("C05,-,24,5,CDC,{d}", False),  # an unquoted comma: a ragged line
    ('C06,negative,"24,5",CDC,{d}', True),
    ("C07,Khong xac dinh,,CDC,{d}", True),
    ("C08,invalid,,,", True),
    ("C09,a\u0300m ti\u0301nh,07.5,CDC,{d}", True),  # decomposed (NFD) letters
    ("C" + "0" * 39 + ",âm tính,,CDC,{d}", True),  # a code of 40 characters
    ("C10,âm tính,,{lab60},{d}", True),
    # forms left to the Python parsers, good
    ("C11,âm tính,24.50,CDC,{d}", True),
    ("C12,âm tính,1e1,CDC,{d}", True),
    ("C13,âm tính,,CDC,2021-10-11", True),
    ("C14,âm tính,,CDC,11-10-2021", True),
    ("C15,âm tính,44.96,CDC,{d}", True),  # Decimal rounds it to 45.0
    # faults, one boundary each
    ("C" + "0" * 40 + ",âm tính,,CDC,{d}", False),  # 41 characters
    (",âm tính,,CDC,{d}", False),
    ("C16,,,CDC,{d}", False),
    ("C17,gì đó,,CDC,{d}", False),
    ("C18,âm tính âm tính âm tính,,CDC,{d}", False),
    ("C19,âm tính,45.1,CDC,{d}", False),
    ("C20,âm tính,-1,CDC,{d}", False),
    ("C21,âm tính,abc,CDC,{d}", False),
    ("C22,âm tính,123456789,CDC,{d}", False),
    ("C23,không xác định,20,CDC,{d}", False),
    ("C24,âm tính,,{lab61},{d}", False),
    ("C25,âm tính,,CDC,{tomorrow}", False),
    ("C26,âm tính,,CDC,31/12/2019", False),
    ("C27,âm tính,,CDC,31/02/2021", False),
    ("C28,âm tính,,CDC,01/13/2021", False),
    (",,,,", None),  # an empty line: skipped, not counted
]


def _cells() -> list[tuple[str, bool | None]]:
    values = {"d": _day(), "tomorrow": _day(-1), "lab60": "L" * 60, "lab61": "L" * 61}
    return [(line.format(**values), good) for line, good in CELLS]


def _cell_samples(world, staff, cells):
    codes = {line.split(",")[0] for line, _good in cells}
    _samples(world, staff, sorted(c for c in codes if 0 < len(c) <= 40))


@pytest.mark.parametrize("mode", MODES)
def test_every_cell_boundary_is_decided_as_the_streamed_path(world, staff, mode):
    cells = [(line, good) for line, good in _cells() if not line.startswith("C05")]
    _cell_samples(world, staff, cells)
    lines = [line for line, _good in cells]
    in_copy, streamed = _both(staff.commune_worker_a, lines, mode)
    assert in_copy == streamed
    assert [e["line"] for e in in_copy[1]] == [
        n + 2 for n, (_line, good) in enumerate(cells) if good is False
    ]
    if mode == lib_imports.KEEP_GOOD:
        assert in_copy[0] == (sum(1 for _line, good in cells if good), 0, "")


def test_a_ragged_file_is_read_by_the_python_reader_as_before(world, staff):
    cells = _cells()  # C05 has a sixth cell: lib.staging passes the file on
    _cell_samples(world, staff, cells)
    lines = [line for line, _good in cells]
    in_copy, streamed = _both(staff.commune_worker_a, lines, lib_imports.KEEP_GOOD)
    assert in_copy == streamed


def _side_effects(world, staff):
    """Samples whose results the services must handle, and plain ones around them."""
    _samples(world, staff, ["N-1", "N-2", "N-3", "DUP-1", "DUP-2", "SAME-1", "CONF-1"])
    builders.sample(world, staff, barcode="RAPID-1", kind=Kind.RAT)
    rejected = builders.sample(world, staff, barcode="REJ-1")
    services.sample_reject(by=staff.commune_worker_a, sample=rejected, reason="vỡ ống")
    for code, result in (("SAME-1", "negative"), ("CONF-1", "negative")):
        services.sample_result_record(
            by=staff.commune_worker_a,
            sample=Sample.objects.get(barcode=code),
            result=result,
            lab="CDC",
        )
    # A person with a positive in the file and another sample of theirs.
    twice = builders.person(world, staff)
    _samples(world, staff, ["POS-1", "POS-1B"], person=twice)
    # A person with an open case: their negative goes to the F0 app.
    ill = builders.person(world, staff)
    _samples(world, staff, ["ILL-1", "ILL-2"], person=ill)
    services.sample_result_record(
        by=staff.commune_worker_a,
        sample=Sample.objects.get(barcode="ILL-1"),
        result="positive",
        lab="CDC",
    )
    # Pools: a negative one with a member before and after its line, a positive one.
    negative = builders.pool(world, staff, code="POOL-N", members=3)
    members = list(negative.members.order_by("pk").values_list("barcode", flat=True))
    positive = builders.pool(world, staff, code="POOL-P", members=2)
    builders.sample(
        world,
        staff,
        barcode="B-1",
        commune=world.commune_b,
        person=builders.person(world, staff, commune=world.commune_b),
    )
    return members, positive


def _side_lines(members):
    d = _day()
    return [
        f"N-1,âm tính,,CDC,{d}",
        f"{members[0]},âm tính,,CDC,{d}",  # before its pool: recorded itself
        f"POOL-N,âm tính,,CDC,{d}",
        f"{members[1]},âm tính,,CDC,{d}",  # after: already presumptively negative
        f"{members[2]},dương tính,22,CDC,{d}",  # after, a different result: a conflict
        f"POOL-P,dương tính,30,CDC,{d}",
        f"DUP-1,âm tính,,CDC,{d}",
        f"DUP-1,âm tính,,CDC,{d}",  # the same line twice: unchanged
        f"DUP-2,âm tính,,CDC,{d}",
        f"DUP-2,dương tính,,CDC,{d}",  # a different result later: reported
        f"SAME-1,âm tính,,CDC,{d}",  # already there: unchanged
        f"CONF-1,dương tính,,CDC,{d}",  # a different result on record: reported
        f"RAPID-1,âm tính,20,CDC,{d}",  # a Ct for a rapid test
        "RAPID-1,âm tính,,CDC,",  # then without one (undated)
        f"REJ-1,âm tính,,CDC,{d}",  # rejected
        f"POS-1B,âm tính,,CDC,{d}",
        f"POS-1,Dương tính,19.5,CDC,{d}",
        f"ILL-2,âm tính,,CDC,{d}",
        f"NOPE-1,âm tính,,CDC,{d}",  # unknown
        f"B-1,âm tính,,CDC,{d}",  # commune B's: outside the worker's jurisdiction
        f"N-2,âm tính,,CDC,{d}",
        f"N-3,không xác định,,,{d}",
    ]


@pytest.mark.parametrize("batch", [2, 50_000])
@pytest.mark.parametrize("mode", MODES)
def test_pools_positives_duplicates_and_conflicts_as_the_streamed_path(
    world, staff, monkeypatch, mode, batch
):
    monkeypatch.setattr(imports_stage, "BATCH", batch)  # guarded UPDATEs across batches
    members, _positive = _side_effects(world, staff)
    lines = _side_lines(members)
    keep_good = mode == lib_imports.KEEP_GOOD
    in_copy, streamed = _both(staff.commune_worker_a, lines, mode, compare=keep_good)
    if not keep_good:
        # The streamed path stops at the first line the services refuse; the COPY path
        # lists every bad line. Both refuse the file and write nothing.
        assert in_copy[0][:2] == streamed[0][:2] == (0, 0) and in_copy[0][2]
        assert in_copy[3:] == streamed[3:]
        assert {e["line"] for e in streamed[1]} <= {e["line"] for e in in_copy[1]}
        if connection.vendor == "postgresql":  # SQLite streams both runs
            assert [e["line"] for e in in_copy[1]] == [6, 11, 13, 14, 16, 20, 21]
        return
    assert in_copy == streamed
    counts, errors = in_copy[0], in_copy[1]
    assert [e["line"] for e in errors] == [6, 11, 13, 14, 16, 20, 21]
    assert counts == (12, 3, "")
    # The pools' arithmetic and the F0 app's classification happened.
    assert Pool.objects.filter(code="POOL-N").exists()
    pools = dict((code, status) for code, status, _r, _l in in_copy[5])
    assert pools == {"POOL-N": Pool.Status.NEGATIVE, "POOL-P": Pool.Status.POSITIVE_AWAITING}
    assert len(in_copy[6]) == 2  # a re-sampling order per member of the positive pool
    assert len(in_copy[7]) == 2  # the open case, and the new F0's


def test_reimporting_the_same_file_changes_nothing(world, staff):
    members, _positive = _side_effects(world, staff)
    lines = _side_lines(members)
    by = staff.commune_worker_a
    content = "\n".join([HEADER, *lines]).encode()
    first = imports.import_results(
        by=by, upload=as_upload("a.csv", content), mode=lib_imports.KEEP_GOOD
    )
    services.result_follow_ups_drain()
    before = _snapshot(first)[3:]
    again = imports.import_results(
        by=by, upload=as_upload("a.csv", content), mode=lib_imports.KEEP_GOOD
    )
    assert again.recorded == 0 and again.unchanged == first.recorded + first.unchanged
    assert _snapshot(again)[3:] == before


def test_on_postgresql_a_utf8_csv_goes_through_copy(world, staff, monkeypatch):
    calls = []
    real = staging.copy_csv
    monkeypatch.setattr(
        staging, "copy_csv", lambda *a, **k: calls.append(real(*a, **k)) or calls[-1]
    )
    builders.sample(world, staff, barcode="A-1")
    outcome = imports.import_results(
        by=staff.commune_worker_a,
        upload=as_upload("a.csv", f"{HEADER}\nA-1,âm tính,,CDC,{_day()}\n".encode()),
        mode=lib_imports.KEEP_GOOD,
    )
    assert outcome.recorded == 1
    expected = [True] if connection.vendor == "postgresql" else [False]
    assert [staged is not None for staged in calls] == expected


def test_a_result_recorded_between_the_match_and_the_write_is_not_overwritten(
    world, staff, monkeypatch
):
    """The guarded UPDATE (`result = ''`) leaves a sample resulted meanwhile (another
    officer, the lab's API) to the services, which report the conflict."""
    _samples(world, staff, ["A-1", "A-2"])
    real = imports_stage._match

    def match_then_someone_else_records(by):
        real(by)
        Sample.objects.filter(barcode="A-2").update(result="positive", status="resulted")

    monkeypatch.setattr(imports_stage, "_match", match_then_someone_else_records)
    outcome = imports.import_results(
        by=staff.commune_worker_a,
        upload=as_upload(
            "a.csv", f"{HEADER}\nA-1,âm tính,,CDC,{_day()}\nA-2,âm tính,,CDC,{_day()}\n".encode()
        ),
        mode=lib_imports.KEEP_GOOD,
    )
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path runs on PostgreSQL only")
    assert (outcome.recorded, [e["line"] for e in outcome.errors.entries]) == (1, [3])
    assert Sample.objects.get(barcode="A-2").result == "positive"


@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_three_times_at_once_records_each_result_once():
    if connection.vendor != "postgresql":
        pytest.skip("real threads need PostgreSQL")
    world = make_world()
    staff = make_staff(world)
    codes = [f"R-{n}" for n in range(40)]
    _samples(world, staff, codes)
    person = Sample.objects.get(barcode="R-0").person
    lines = [f"{code},âm tính,,CDC,{_day()}" for code in codes[1:]]
    lines.append(f"R-0,dương tính,20,CDC,{_day()}")
    content = "\n".join([HEADER, *lines]).encode()

    def run():
        return imports.import_results(
            by=staff.commune_worker_a,
            upload=as_upload("a.csv", content),
            mode=lib_imports.KEEP_GOOD,
        )

    outcomes = race([run] * 3)
    assert not losers(outcomes), losers(outcomes)
    results = [value for _kind, value in outcomes]
    assert not any(r.errors for r in results), [r.errors.entries for r in results]
    assert sum(r.recorded for r in results) == len(codes)
    assert sum(r.unchanged for r in results) == 2 * len(codes)
    services.result_follow_ups_drain()
    assert Case.objects.filter(person=person).count() == 1
    assert not Sample.objects.filter(result="").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", MODES)
def test_two_overlapping_files_at_once_neither_deadlock_nor_apply_twice(mode, monkeypatch):
    """Two labs' files share a third of their codes, in opposite line orders, with the same
    positive and the same pool in both. Written 40 lines a statement, the first locks the
    shared rows' first half then wants the second half the other holds (a deadlock before
    the rows were locked in id order). Both imports finish, every shared line is recorded
    by one of them and counted unchanged by the other, one case, one set of orders."""
    if connection.vendor != "postgresql":
        pytest.skip("real threads need PostgreSQL")
    monkeypatch.setattr(imports_stage, "BATCH", 40)
    # The two imports write batch by batch in step (each waits for the other after each
    # batch, at most 3 s: an import that cannot reach its write lets the other go on).
    step = threading.Barrier(2)
    real_batch = imports_stage._write_batch

    def batch_in_step(*args):
        real_batch(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            step.wait(timeout=3)

    monkeypatch.setattr(imports_stage, "_write_batch", batch_in_step)
    world = make_world()
    staff = make_staff(world)
    codes = [f"O-{n:03d}" for n in range(240)]
    _samples(world, staff, codes)
    pool = builders.pool(world, staff, code="OP-1", members=3)
    person = Sample.objects.get(barcode="O-100").person

    def lines(chosen):
        out = [
            f"{code},{'dương tính,20' if code == 'O-100' else 'âm tính,'},CDC,{_day()}"
            for code in chosen
        ]
        out.insert(len(out) // 2, f"OP-1,dương tính,22,CDC,{_day()}")
        return "\n".join([HEADER, *out]).encode()

    first, second = codes[:160], list(reversed(codes[80:]))  # 80 codes in both

    def run(content):
        return lambda: imports.import_results(
            by=staff.commune_worker_a, upload=as_upload("a.csv", content), mode=mode
        )

    outcomes = race([run(lines(first)), run(lines(second))])
    assert not losers(outcomes), losers(outcomes)
    results = [value for _kind, value in outcomes]
    assert not any(r.errors or r.refusal for r in results), [r.errors.entries for r in results]
    # Every line of both files is recorded once and found unchanged the other time.
    assert sum(r.recorded for r in results) == len(codes) + 1
    assert sum(r.unchanged for r in results) == 80 + 1
    assert not Sample.objects.filter(barcode__in=codes, result="").exists()
    services.result_follow_ups_drain()
    assert Case.objects.filter(person=person).count() == 1
    assert ResampleOrder.objects.filter(pool=pool).count() == 3
