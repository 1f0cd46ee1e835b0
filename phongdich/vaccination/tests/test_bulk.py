"""The bulk path of the dose import decides every row exactly as the per-row path does
(dose_record once per row): the same person, the same queue reason, the same flags, the
same counts and line-numbered report, on a file mixing every kind of match; and it keeps
the import's guarantees (keep good rows or refuse the file, idempotent re-import, one audit
event, two imports of one file at once make one set of doses)."""

from datetime import date

import pytest
from django.db import connection, transaction

from phongdich.audit.models import AuditEvent
from phongdich.lib import imports as lib_imports
from phongdich.lib.tests.builders import to_cp1258
from phongdich.people.services import person_register
from phongdich.testing import losers, make_staff, make_world, race
from phongdich.vaccination import bulk, services
from phongdich.vaccination.bulk import tables as bulk_tables
from phongdich.vaccination.imports import import_doses_per_row
from phongdich.vaccination.models import Dose, DoseReview, Source

from . import builders

HEADER = (
    "Mã bản ghi,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,CCCD,Mã xã,Vắc xin,Mũi số,"
    "Ngày tiêm,Điểm tiêm,Số lô"
)
# Commune A (14755) and A2 (14758) are in district A, the importer's jurisdiction; B (14809)
# is in district B.
MIXED = [
    # 2: the exact CCCD, typed without diacritics and without a phone.
    "S1,Le Van Tiem,1980,Nam,,038080001234,14755,Pfizer,1,11/10/2021,Trạm y tế,L1",
    # 3: the same person's second dose, on the minimum interval.
    "S2,Lê Văn Tiêm,01/05/1980,Nam,0912345678,038080001234,14755,Pfizer,2,01/11/2021,,L2",
    # 4: phone + name + birth year (no CCCD on either side), commune A2.
    "S3,Nguyễn Thị Hoa,1975,Nữ,0912000002,,14758,Moderna,1,11/10/2021,,",
    # 5: her second dose nine days later: recorded, flagged as too early.
    "S4,Nguyen Thi Hoa,1975,Nữ,0912000002,,14758,Moderna,2,20/10/2021,,",
    # 6: two records (twins sharing a phone) match strongly: a conflict for staff.
    "S5,Trần Văn Song,2000,Nam,0912000003,,14755,Pfizer,1,11/10/2021,,",
    # 7: the CCCD of a person of district B: outside the jurisdiction, so nobody.
    "S6,Phạm Văn Xa,1990,Nam,,038090005555,14755,Pfizer,1,11/10/2021,,",
    # 8: a CCCD on record under another name: weak.
    "S7,Đỗ Văn Khác,1985,Nam,,038085006666,14755,Pfizer,1,11/10/2021,,",
    # 9: a known phone under another name: weak.
    "S8,Lê Thị Hoa,1982,Nữ,0912345678,,14755,Pfizer,1,11/10/2021,,",
    # 10: a CCCD held back on a local record (the holder is in district B): that record.
    "S9,Vũ Thị Bảy,1977,Nữ,,038077007777,14755,AstraZeneca,1,05/08/2021,,",
    # 11: the source id of line 2 again: unchanged.
    "S1,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,3,01/12/2021,,",
    # 12: no source id, the same person + dose + day as line 2: unchanged.
    ",Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,1,11/10/2021,,",
    # 13: nobody on record, no source id: queued.
    ",Hồ Văn Mới,1999,Nam,0987000999,,14755,Pfizer,1,11/10/2021,,",
    # 14: the same again: meets its review on identity + dose + day.
    ",Hồ Văn Mới,1999,Nam,0987000999,,14755,Pfizer,1,11/10/2021,,",
    # 15: a source id already recorded on another person: unchanged.
    "S14,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,3,01/12/2021,,",
    # 16: the same name and birth year in the commune, nothing else: weak.
    "S15,Đỗ Văn Sáu,1985,Nam,0987000555,,14755,Pfizer,1,11/10/2021,,",
    # 17: a bad line: a commune outside the jurisdiction.
    "S16,Lê Văn A,1980,Nam,0912000001,,14809,Pfizer,1,11/10/2021,,",
    # 18: phone + name + year of a person of district B: nobody inside.
    "S17,Phạm Văn Xa,1990,Nam,0912000005,,14755,Pfizer,1,11/10/2021,,",
    # 19: a booster three months after dose 2: recorded.
    "S18,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,3,01/02/2022,,",
    # 20: a vaccine not in the list: a bad line.
    "S19,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Covaxin,3,01/02/2022,,",
]


def _csv(lines, header=HEADER, name="mui-tiem.csv"):
    return lib_imports.as_upload(name, "\n".join([header, *lines]).encode())


def _people(world, staff):
    """The registry the mixed file is matched against."""
    a = staff.commune_worker_a
    b = staff.commune_worker_b
    builders.person(world, staff)  # Lê Văn Tiêm, CCCD 038080001234, commune A
    person_register(
        by=staff.district_health_officer_a,
        full_name="Nguyễn Thị Hoa",
        birth_year=1975,
        phone="0912000002",
        commune=world.commune_a2,
    )
    for _ in range(2):
        person_register(
            by=a,
            full_name="Trần Văn Song",
            birth_year=2000,
            phone="0912000003",
            commune=world.commune_a,
            force_new=True,
        )
    person_register(
        by=b,
        full_name="Phạm Văn Xa",
        birth_year=1990,
        phone="0912000005",
        id_number="038090005555",
        commune=world.commune_b,
    )
    sau, _ = person_register(
        by=a, full_name="Đỗ Văn Sáu", birth_year=1985, id_number="038085006666",
        commune=world.commune_a,
    )  # fmt: skip
    for by, commune in ((b, world.commune_b), (a, world.commune_a)):
        person_register(
            by=by, full_name="Vũ Thị Bảy", birth_year=1977, id_number="038077007777",
            commune=commune,
        )  # fmt: skip
    # Already imported on Đỗ Văn Sáu: source id S14.
    services.dose_record_for_person(
        by=a,
        person=sau,
        dose=builders.dose(source=Source.IMPORTED, source_id="S14"),
    )


def _snapshot(result):
    doses = sorted(
        Dose.objects.values_list(
            "source_id", "person_id", "product__code", "dose_number", "kind", "given_on",
            "flags", "site_kind", "site_name", "lot", "source", "recorded_by_id",
        )
    )  # fmt: skip
    reviews = sorted(
        DoseReview.objects.values_list(
            "source_id", "full_name", "birth_date", "birth_year", "sex", "phone", "id_number",
            "commune_id", "identity_key", "reason", "status", "product__code", "dose_number",
            "kind", "given_on", "recorded_by_id",
        )
    )  # fmt: skip
    counts = (result.recorded, result.queued, result.unchanged, result.refusal)
    return doses, reviews, counts, result.errors.entries


def _run(run, by, lines, mode):
    with transaction.atomic():
        result = run(by=by, upload=_csv(lines), mode=mode)
        snapshot = _snapshot(result)
        transaction.set_rollback(True)
    return snapshot


@pytest.mark.parametrize("batch", [3, 5000])
@pytest.mark.parametrize("mode", [lib_imports.KEEP_GOOD, lib_imports.ALL_OR_NOTHING])
def test_bulk_decides_every_row_as_the_per_row_path(world, staff, monkeypatch, batch, mode):
    _people(world, staff)
    monkeypatch.setattr(bulk_tables, "BATCH", batch)  # lines decided across batch boundaries
    monkeypatch.setattr(bulk_tables, "SET_BATCH", batch)
    by = staff.district_health_officer_a
    per_row = _run(import_doses_per_row, by, MIXED, mode)
    in_bulk = _run(bulk.import_doses_bulk, by, MIXED, mode)
    assert in_bulk == per_row
    doses, reviews, counts, errors = in_bulk
    assert [e["line"] for e in errors] == [17, 20]
    if mode == lib_imports.ALL_OR_NOTHING:
        assert counts[:3] == (0, 0, 0) and counts[3] and len(doses) == 1
        return
    assert counts == (6, 7, 4, "")
    reasons = {r[0] or r[1]: r[9] for r in reviews}
    assert reasons == {
        "S5": DoseReview.Reason.CONFLICT,
        "S6": DoseReview.Reason.NO_MATCH,
        "S7": DoseReview.Reason.WEAK,
        "S8": DoseReview.Reason.WEAK,
        "Hồ Văn Mới": DoseReview.Reason.NO_MATCH,
        "S15": DoseReview.Reason.WEAK,
        "S17": DoseReview.Reason.NO_MATCH,
    }
    flagged = {d[0]: d[6] for d in doses}
    assert flagged["S4"] and not flagged["S2"]


def test_the_bulk_path_is_exactly_the_per_row_path_on_a_fresh_import(world, staff):
    """Not a rollback comparison: the bulk path's own writes, read back."""
    _people(world, staff)
    by = staff.district_health_officer_a
    result = bulk.import_doses_bulk(by=by, upload=_csv(MIXED), mode=lib_imports.KEEP_GOOD)
    assert (result.recorded, result.queued, result.unchanged) == (6, 7, 4)
    tiem = Dose.objects.get(source_id="S1").person
    assert tiem.full_name == "Lê Văn Tiêm" and tiem.commune == world.commune_a
    bay = Dose.objects.get(source_id="S9").person
    assert bay.commune == world.commune_a and bay.claimed_id_number == "038077007777"


def test_a_reimport_changes_nothing_and_each_import_is_audited_once(world, staff):
    _people(world, staff)
    by = staff.district_health_officer_a
    first = bulk.import_doses_bulk(by=by, upload=_csv(MIXED), mode=lib_imports.KEEP_GOOD)
    doses, reviews = Dose.objects.count(), DoseReview.objects.count()
    again = bulk.import_doses_bulk(by=by, upload=_csv(MIXED), mode=lib_imports.KEEP_GOOD)
    assert (again.recorded, again.queued) == (0, 0)
    assert again.unchanged == first.recorded + first.queued + first.unchanged
    assert (Dose.objects.count(), DoseReview.objects.count()) == (doses, reviews)
    events = AuditEvent.objects.filter(action="vaccination.import").order_by("pk")
    assert [e.changes["recorded"] for e in events] == [6, 0]
    assert events[0].changes["queued"] == 7 and events[0].changes["errors"] == 2
    # One event per import, not one per dose.
    assert not AuditEvent.objects.filter(action="vaccination.dose.record", actor=by).exists()


def test_all_or_nothing_writes_nothing_and_reports_every_bad_line(world, staff):
    _people(world, staff)
    before = Dose.objects.count(), DoseReview.objects.count()
    by = staff.district_health_officer_a
    result = bulk.import_doses_bulk(by=by, upload=_csv(MIXED), mode=lib_imports.ALL_OR_NOTHING)
    assert result.refused and [e["line"] for e in result.errors.entries] == [17, 20]
    assert (Dose.objects.count(), DoseReview.objects.count()) == before
    assert not AuditEvent.objects.filter(action="vaccination.import").exists()


def test_a_file_past_the_row_cap_is_refused(world, staff):
    by = staff.district_health_officer_a
    result = bulk.import_doses_bulk(
        by=by, upload=_csv(MIXED), mode=lib_imports.KEEP_GOOD, max_rows=5
    )
    assert result.refused and "5" in result.refusal and not Dose.objects.exists()


def test_progress_is_reported_for_every_stage(world, staff, monkeypatch):
    _people(world, staff)
    monkeypatch.setattr(bulk_tables, "BATCH", 4)
    monkeypatch.setattr(bulk_tables, "SET_BATCH", 4)
    seen = []
    bulk.import_doses_bulk(
        by=staff.district_health_officer_a,
        upload=_csv(MIXED),
        mode=lib_imports.KEEP_GOOD,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert ("read", 19, 19) in seen and ("match", 17, 17) in seen
    assert [d for s, d, _t in seen if s == "record"] == [4, 8, 12, 16, 17]


def test_a_commune_worker_matches_only_inside_the_commune(world, staff):
    """Nguyễn Thị Hoa lives in commune A2: for commune A's officer she is nobody, and her
    commune's lines are bad lines (outside the jurisdiction)."""
    _people(world, staff)
    officer = builders.officer(world)
    line = "S30,Nguyễn Thị Hoa,1975,Nữ,0912000002,,14755,Moderna,1,11/10/2021,,"
    result = bulk.import_doses_bulk(by=officer, upload=_csv([line]), mode="keep_good")
    assert (result.recorded, result.queued) == (0, 1)
    assert DoseReview.objects.get(source_id="S30").reason == DoseReview.Reason.NO_MATCH


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_make_one_set_of_doses():
    world = make_world()
    staff = make_staff(world)
    _people(world, staff)
    by = staff.district_health_officer_a
    before = Dose.objects.count()
    outcomes = race(
        [
            lambda: bulk.import_doses_bulk(by=by, upload=_csv(MIXED), mode="keep_good")
            for _ in range(2)
        ]
    )
    assert not losers(outcomes), losers(outcomes)
    results = sorted((r.recorded, r.queued, r.unchanged) for _k, r in outcomes)
    assert results == [(0, 0, 17), (6, 7, 4)]
    assert Dose.objects.count() == before + 6 and DoseReview.objects.count() == 7


@pytest.mark.django_db(transaction=True)
def test_two_files_with_the_same_doses_at_once_make_one_set():
    """Different files (no common lock): the database's unique keys and ON CONFLICT DO
    NOTHING still keep one dose per source id and per person + dose + day."""
    world = make_world()
    staff = make_staff(world)
    _people(world, staff)
    by = staff.district_health_officer_a
    before = Dose.objects.count()
    uploads = [_csv(MIXED, name="a.csv"), _csv([*MIXED, MIXED[0]], name="b.csv")]
    outcomes = race(
        [
            lambda upload=upload: bulk.import_doses_bulk(by=by, upload=upload, mode="keep_good")
            for upload in uploads
        ]
    )
    assert not losers(outcomes), losers(outcomes)
    assert Dose.objects.count() == before + 6 and DoseReview.objects.count() == 7
    assert sum(r.recorded for _k, r in outcomes) == 6
    assert date(2021, 10, 11) in set(Dose.objects.values_list("given_on", flat=True))


def test_the_command_shows_its_progress_on_stderr(world, staff, tmp_path, capsys):
    from django.core.management import call_command

    _people(world, staff)
    path = tmp_path / "mui-tiem.csv"
    path.write_text("\n".join([HEADER, *MIXED]), encoding="utf-8")
    call_command("import_doses", str(path), "--user", staff.district_health_officer_a.username)
    captured = capsys.readouterr()
    assert "đọc tệp: 19/19 dòng" in captured.err
    assert "ghi mũi tiêm: 17/17 dòng" in captured.err
    assert "đã ghi 6, chờ xác định người 7, đã có từ trước 4, dòng lỗi 2" in captured.out


def test_flags_read_the_persons_doses_in_date_order_as_the_per_row_path(world, staff):
    """Two doses 1 on record, the later one entered first: dose 2 nine days after the later
    one is too early (80 days after the earlier one, it would not be); both paths agree."""
    person = builders.person(world, staff)
    by = staff.district_health_officer_a
    for day in (date(2021, 10, 11), date(2021, 8, 1)):
        services.dose_record_for_person(by=by, person=person, dose=builders.dose(day=day))
    line = "S40,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,2,20/10/2021,,"
    per_row = _run(import_doses_per_row, by, [line], lib_imports.KEEP_GOOD)
    in_bulk = _run(bulk.import_doses_bulk, by, [line], lib_imports.KEEP_GOOD)
    assert in_bulk == per_row
    flags = {d[0]: d[6] for d in in_bulk[0]}["S40"]
    assert "interval_short" in flags.split(","), flags


# Cells at each boundary of the checks the COPY path states in SQL (lib.staging and
# bulk.stage): the lines it accepts must carry the values the Python parsers give, and every
# other line must get the Python path's messages. Each line is compared with the per-row path.
CELLS = [
    # forms SQL reads itself
    "C1,Lê Văn Tiêm,29/02/1980,nu,+84912345678,038080001234,14755,pfizer,01,1/1/2021,,",
    "C2,  Lê   Văn Tiêm ,1900,F,84912000002,,14755,PFIZER,6,31/12/2021,,",
    "C3,Lê Văn Tiêm,1980,M,912000004,,14755,pfizer-biontech (COMIRNATY),2,01/03/2021,,",
    "C4,Lê Văn Tiêm,1980,,,038080001234,14755,Pfizer,1,01/01/2020,,",
    "C5,Lê Văn Tiêm,1980,Nam,,123456789,14755,Pfizer,1,01/01/2020,,",
    # forms left to the Python parsers, good
    "C6,Lê Văn Tiêm,1980,Nam,0912 345 678,,14755,Pfizer,Mũi 2,2021-10-11,,",
    "C7,Lê Văn Tiêm,1980-05-01,Nam,,038 080 001 234,14755,Pfizer,1,11-10-2021,,",
    "C8,Lê Văn Tiêm Ñ,1980,Nam,0912345678,,14755,Pfizer,1,11/10/2021,,",
    # faults, one boundary each
    "C9,Lê Văn Tiêm,1899,Nam,0912345678,,14755,Pfizer,1,11/10/2021,,",
    "C10,Lê Văn Tiêm,31/02/1980,Nam,0912345678,,14755,Pfizer,1,11/10/2021,,",
    "C11,Lê Văn Tiêm,1980,Nam,0912345678,,14755,Pfizer,1,01/13/2021,,",
    "C12,Lê Văn Tiêm,1980,Nam,0912345678,,14755,Pfizer,1,31/12/2019,,",
    "C13,Lê Văn Tiêm,1980,Nam,0912345678,,14755,Pfizer,1,01/01/2099,,",
    "C14,Lê Văn Tiêm,1980,Nam,0912345678,,14755,Pfizer,0,11/10/2021,,",
    "C15,Lê Văn Tiêm,1980,Nam,0912345678,,14755,Pfizer,7,11/10/2021,,",
    "C16,Lê Văn Tiêm,1980,Nam,0812345678,000080001234,14755,Pfizer,1,11/10/2021,,",
    "C17,Lê Văn Tiêm,1980,Nam,0812345678,097080001234,14755,Pfizer,1,11/10/2021,,",
    "C18,Lê Văn Tiêm,1980,Nam,0212345678,,14755,Pfizer,1,11/10/2021,,",
    "C19,Lê Văn Tiêm,1980,Nam,091234567,,14755,Pfizer,1,11/10/2021,,",
    "C20,Lê Văn Tiêm,1980,X,0912345678,,14755,Pfizer,1,11/10/2021,,",
    "C21,,1980,Nam,0912345678,,14755,Pfizer,1,11/10/2021,,",
    "C22,Lê Văn Tiêm,,Nam,,,14755,Pfizer,1,11/10/2021,,",
    "C23,Lê Văn Tiêm,1980,Nam,0912345678,,99999,Pfizer,1,11/10/2021,,",
    "C24,Lê Văn Tiêm,1980,Nam,0912345678,,147555,Pfizer,1,11/10/2021,,",
    "C25," + "A" * 121 + ",1980,Nam,0912345678,,14755,Pfizer,1,11/10/2021,,",
    "C26,Lê Văn Tiêm,1980,Nam,0912345678,,14755,Pfizer,1,11/10/2021,," + "L" * 200,
    ",,,,,,,,,,,",  # an empty line: skipped, not counted
    # cells to clean (bulk.stage tests a row's cells clean at once, then cleans each cell
    # of a row that fails): decomposed letters, a no-break space, a tab, doubled spaces,
    # U+001F (the separator of that test) inside a cell; good lines, after line 28
    "C27,L\u0065\u0302\u0300 V\u0103n Ti\u00ea\u0300m,1980,Nam,,038080001234,14755,Pfizer,1,02/01/2021,,",
    "C28,Lê Văn Tiêm,1980,Nam,,038080001234,14755\u00a0,Pfizer\t,2,03/02/2021,,",
    "C29,Lê  Văn Tiêm,1980,Nam,,038080001234, 14755,Pfizer,3,04/06/2021,Trạm  y tế,",
    "C30,Lê\u001fVăn Tiêm,1980,Nam,,038080001234,14755,Pfizer,4,05/12/2021,,",
]


@pytest.mark.parametrize("mode", [lib_imports.KEEP_GOOD, lib_imports.ALL_OR_NOTHING])
def test_every_cell_boundary_is_decided_as_the_per_row_path(world, staff, mode):
    _people(world, staff)
    by = staff.district_health_officer_a
    per_row = _run(import_doses_per_row, by, CELLS, mode)
    in_bulk = _run(bulk.import_doses_bulk, by, CELLS, mode)
    assert in_bulk == per_row
    assert [e["line"] for e in in_bulk[3]] == list(range(10, 28))
    if mode == lib_imports.KEEP_GOOD:
        assert {"C27", "C28", "C29", "C30"} <= {d[0] for d in in_bulk[0]}


def test_a_file_without_the_optional_columns_is_decided_as_the_per_row_path(world, staff):
    """The COPY path's lookups of a column the file lacks (no birth, sex, site or lot)."""
    _people(world, staff)
    by = staff.district_health_officer_a
    header = "Mã bản ghi,Họ và tên,Số điện thoại,CCCD,Mã xã,Vắc xin,Mũi số,Ngày tiêm"
    lines = [
        "N1,Lê Văn Tiêm,,038080001234,14755,Pfizer,1,11/10/2021",
        "N2,Nguyễn Thị Hoa,0912000002,,14758,Moderna,1,11/10/2021",
        "N3,Hồ Văn Mới,0987000999,,14755,Pfizer,1,11/10/2021",
        "N4,Hồ Văn Mới,,,14755,Pfizer,1,11/10/2021",  # nothing to identify by: a fault
    ]

    def run(function):
        with transaction.atomic():
            result = function(by=by, upload=_csv(lines, header=header), mode="keep_good")
            snapshot = _snapshot(result)
            transaction.set_rollback(True)
        return snapshot

    in_bulk = run(bulk.import_doses_bulk)
    assert in_bulk == run(import_doses_per_row)
    assert in_bulk[2][:2] == (1, 2) and [e["line"] for e in in_bulk[3]] == [5]


def test_on_postgresql_a_utf8_csv_goes_through_copy(world, staff, monkeypatch):
    """The comparisons above exercise the COPY path on PostgreSQL (SQLite reads in Python)."""
    from django.db import connection

    from phongdich.lib import staging

    calls = []
    real = staging.copy_csv
    monkeypatch.setattr(
        staging, "copy_csv", lambda *a, **k: calls.append(real(*a, **k)) or calls[-1]
    )
    bulk.import_doses_bulk(
        by=staff.district_health_officer_a, upload=_csv(MIXED), mode=lib_imports.KEEP_GOOD
    )
    # SQLite never tries the COPY path; PostgreSQL takes this file through it.
    expected = [True] if connection.vendor == "postgresql" else []
    assert [staged is not None for staged in calls] == expected


@pytest.mark.parametrize(
    "content",
    [
        # a blank line, a ragged line, semicolons, Windows-1258: the Python reader's files
        "\n".join([HEADER, MIXED[0], "", MIXED[1]]).encode(),
        "\n".join([HEADER, MIXED[0], MIXED[1] + ",extra"]).encode(),
        "\n".join([HEADER.replace(",", ";"), MIXED[0].replace(",", ";")]).encode(),
        to_cp1258("\n".join([HEADER, MIXED[0], MIXED[1]])),
        ("\ufeff" + "\n".join([HEADER, MIXED[0], MIXED[1]])).encode(),
        "\r\n".join([HEADER, MIXED[0], '"S2",' + MIXED[1][3:]]).encode(),
        # PostgreSQL's end-of-data line: COPY would silently drop every line after it
        "\n".join([HEADER, MIXED[0], "\\.", MIXED[1]]).encode(),
        "\r\n".join([HEADER, MIXED[0], MIXED[1], "\\."]).encode(),
    ],
)
def test_files_the_copy_path_passes_on_are_read_as_before(world, staff, content):
    _people(world, staff)
    by = staff.district_health_officer_a

    def run(function):
        with transaction.atomic():
            result = function(
                by=by, upload=lib_imports.as_upload("a.csv", content), mode="keep_good"
            )
            snapshot = _snapshot(result)
            transaction.set_rollback(True)
        return snapshot

    assert run(bulk.import_doses_bulk) == run(import_doses_per_row)


# Flag situations (rules.violations) for one person with doses on record: each line is
# compared with the per-row path, which runs rules.violations in Python.
FLAGGED = [
    "F1,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,1,11/10/2021,,",  # same dose twice
    "F2,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Moderna,2,01/11/2021,,",  # mix not listed
    "F3,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,4,01/12/2021,,",  # previous missing
    "F4,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,3,02/11/2021,,",  # booster too early
    "F5,Trẻ Em,01/06/2012,Nam,0912000009,,14755,AstraZeneca,1,01/06/2021,,",  # age
    "F6,Trẻ Em,01/06/2012,Nam,0912000009,,14755,Pfizer,2,20/06/2021,,",  # interval, age
    "F7,Lê Văn Tiêm,1980,Nam,,038080001234,14755,Pfizer,2,31/10/2021,,",  # exactly 20 days
]


@pytest.mark.parametrize("batch", [1, 5000])
def test_the_flags_are_the_per_row_paths_at_each_rule(world, staff, monkeypatch, batch):
    monkeypatch.setattr(bulk_tables, "BATCH", batch)
    monkeypatch.setattr(bulk_tables, "SET_BATCH", batch)
    person = builders.person(world, staff)
    builders.person(
        world, staff, full_name="Trẻ Em", birth_date=date(2012, 6, 1), birth_year=2012,
        phone="0912000009", id_number="",
    )  # fmt: skip
    by = staff.district_health_officer_a
    services.dose_record_for_person(
        by=by, person=person, dose=builders.dose(day=date(2021, 10, 11))
    )
    per_row = _run(import_doses_per_row, by, FLAGGED, lib_imports.KEEP_GOOD)
    in_bulk = _run(bulk.import_doses_bulk, by, FLAGGED, lib_imports.KEEP_GOOD)
    assert in_bulk == per_row
    flags = {d[0]: set(d[6].split(",")) for d in in_bulk[0] if d[0]}
    assert "mix_not_listed" in flags["F2"] and "previous_missing" in flags["F3"]
    assert "age_not_eligible" in flags["F5"]


@pytest.mark.skipif(
    not connection.vendor == "postgresql", reason="the set-based decisions are PostgreSQL's"
)
def test_a_dose_recorded_after_the_decisions_is_skipped_not_doubled(world, staff, monkeypatch):
    """The doses go in with a plain INSERT first (bulk.decide._insert_optimistic). A dose
    another writer records between the decisions and that INSERT (here: in the flags step,
    just before it) makes the unique key refuse the INSERT: the same rows then go in with
    ON CONFLICT DO NOTHING, so that dose is counted unchanged and every other one written."""
    from phongdich.vaccination.bulk import decide

    _people(world, staff)
    by = staff.district_health_officer_a
    person = builders.person(world, staff)
    real = decide._flags

    def flags_then_a_form_entry(cursor, stage):
        found = real(cursor, stage)
        # Line 2's dose (S1: Lê Văn Tiêm, Pfizer 1, 11/10/2021), entered on the form.
        services.dose_record_for_person(
            by=staff.commune_worker_a, person=person, dose=builders.dose()
        )
        return found

    monkeypatch.setattr(decide, "_flags", flags_then_a_form_entry)
    before = Dose.objects.count()
    result = bulk.import_doses_bulk(by=by, upload=_csv(MIXED), mode=lib_imports.KEEP_GOOD)
    # Without the race: 6 recorded, 7 queued, 4 unchanged (the two-imports test above).
    assert (result.recorded, result.queued, result.unchanged) == (5, 7, 5)
    assert Dose.objects.count() == before + 6  # the form's dose and five of the file's
    assert Dose.objects.filter(person=person, dose_number=1).count() == 1
    assert not Dose.objects.filter(source_id="S1").exists()  # the form's dose stands
