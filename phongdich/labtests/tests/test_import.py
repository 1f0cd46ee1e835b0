from phongdich.cases.models import Case
from phongdich.labtests import imports, services
from phongdich.labtests.models import Pool, ResampleOrder, Sample
from phongdich.lib.imports import as_upload

from . import builders

HEADER = "Mã mẫu,Kết quả,Ct,Phòng xét nghiệm,Ngày trả kết quả\n"


def _run(staff, text, mode="keep_good"):
    outcome = imports.import_results(
        by=staff.commune_worker_a,
        upload=as_upload("ket-qua.csv", (HEADER + text).encode()),
        mode=mode,
    )
    if outcome.queued:
        services.result_follow_ups_drain()  # the worker's part, after the commit
    return outcome


def test_results_import_once_and_report_bad_lines_by_number(world, staff):
    for code in ("A-1", "A-2", "A-3"):
        builders.sample(world, staff, barcode=code)
    builders.sample(
        world,
        staff,
        barcode="B-1",
        commune=world.commune_b,
        person=builders.person(world, staff, commune=world.commune_b),
    )
    text = (
        "A-1,âm tính,,CDC,01/12/2026\n"
        "A-2,Duong tinh,19.5,CDC,01/12/2026\n"
        "A-3,âm tính,99,CDC,01/12/2026\n"  # line 4: Ct out of range
        "NOPE,âm tính,,CDC,01/12/2026\n"  # line 5: unknown code
        "B-1,âm tính,,CDC,01/12/2026\n"  # line 6: commune B's sample
    )
    first = _run(staff, text)
    assert (first.recorded, first.unchanged) == (2, 0)
    assert sorted(e["line"] for e in first.errors.entries) == [4, 5, 6]
    assert Sample.objects.get(barcode="A-1").result == "negative"
    assert Sample.objects.get(barcode="B-1").result == ""
    # The positive went through the F0 app's own path.
    assert Case.objects.filter(person=Sample.objects.get(barcode="A-2").person).count() == 1
    again = _run(staff, text)
    assert (again.recorded, again.unchanged) == (0, 2)
    assert Case.objects.count() == 1


def test_a_conflicting_result_is_reported_not_written(world, staff):
    builders.sample(world, staff, barcode="A-1")
    _run(staff, "A-1,âm tính,,CDC,01/12/2026\n")
    outcome = _run(staff, "A-1,dương tính,,CDC,01/12/2026\n")
    assert outcome.recorded == 0 and outcome.errors.total == 1
    assert Sample.objects.get(barcode="A-1").result == "negative"


def test_all_or_nothing_refuses_the_file_with_a_bad_line(world, staff):
    builders.sample(world, staff, barcode="A-1")
    outcome = _run(
        staff, "A-1,âm tính,,CDC,01/12/2026\nA-9,gì đó,,CDC,01/12/2026\n", mode="all_or_nothing"
    )
    assert outcome.refused
    assert Sample.objects.get(barcode="A-1").result == ""


def test_a_pool_code_in_the_file_records_the_pool(world, staff):
    pool = builders.pool(world, staff, code="P-1", members=2)
    outcome = _run(staff, "P-1,dương tính,30,CDC,01/12/2026\n")
    assert outcome.recorded == 1
    assert Pool.objects.get(pk=pool.pk).status == Pool.Status.POSITIVE_AWAITING
    assert ResampleOrder.objects.filter(pool=pool).count() == 2


def test_many_negatives_are_written_in_batches(world, staff, django_assert_max_num_queries):
    person = builders.person(world, staff)
    for n in range(60):
        services.sample_take(
            by=staff.commune_worker_a,
            person=person,
            barcode=f"M-{n}",
            kind="pcr",
            reason="screening",
            commune=world.commune_a,
        )
    text = "".join(f"M-{n},âm tính,,CDC,01/12/2026\n" for n in range(60))
    # Not one write per row; the COPY path's import lock (one statement) makes it 31.
    with django_assert_max_num_queries(31):
        outcome = _run(staff, text)
    assert outcome.recorded == 60


def test_the_command_imports_a_file(world, staff, tmp_path):
    from django.core.management import call_command

    builders.sample(world, staff, barcode="A-1")
    path = tmp_path / "ket-qua.csv"
    path.write_text(HEADER + "A-1,âm tính,,CDC,01/12/2026\n", encoding="utf-8")
    call_command("import_results", str(path), user=staff.commune_worker_a.username)
    assert Sample.objects.get(barcode="A-1").result == "negative"


def test_a_file_past_the_row_cap_writes_nothing_even_keeping_good_rows(world, staff):
    # The file is written as it is read; the refusal at the cap rolls back the rows before it.
    for code in ("A-1", "A-2", "A-3"):
        builders.sample(world, staff, barcode=code)
    text = "".join(f"{code},âm tính,,CDC,01/12/2026\n" for code in ("A-1", "A-2", "A-3"))
    outcome = imports.import_results(
        by=staff.commune_worker_a,
        upload=as_upload("ket-qua.csv", (HEADER + text).encode()),
        mode="keep_good",
        max_rows=2,
    )
    assert outcome.refused and outcome.recorded == 0
    assert not Sample.objects.exclude(result="").exists()


def test_all_or_nothing_reports_every_bad_line_after_good_rows(world, staff):
    for code in ("A-1", "A-2"):
        builders.sample(world, staff, barcode=code)
    text = (
        "A-1,âm tính,,CDC,01/12/2026\n"
        "A-2,gì đó,,CDC,01/12/2026\n"  # line 3
        "A-2,âm tính,,CDC,01/12/2026\n"
        "A-9,âm tính,99,CDC,01/12/2026\n"  # line 5
    )
    outcome = _run(staff, text, mode="all_or_nothing")
    assert outcome.refused
    assert [e["line"] for e in outcome.errors.entries] == [3, 5]
    assert not Sample.objects.exclude(result="").exists()
