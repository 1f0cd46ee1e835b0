"""The dose import: any column order, headers with or without diacritics, line-numbered
errors, keep-good-rows vs all-or-nothing, re-import changes nothing; the CLI is the same."""

import pytest
from django.core.management import CommandError, call_command

from phongdich.lib import background_imports
from phongdich.lib import imports as lib_imports
from phongdich.lib.models import ImportJob
from phongdich.lib.xlsx import build_workbook
from phongdich.vaccination.imports import import_doses
from phongdich.vaccination.models import Dose, DoseReview

from . import builders

HEADER = "Mã bản ghi,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,CCCD,Mã xã,Vắc xin,Mũi số,Ngày tiêm,Điểm tiêm,Số lô"
GOOD = [
    "NEN-1,Lê Văn Tiêm,01/05/1980,Nam,0912345678,038080001234,14755,Pfizer,1,11/10/2021,Trạm y tế,FF1",
    "NEN-2,Lê Văn Tiêm,01/05/1980,Nam,0912345678,038080001234,14755,pfizer,2,01/11/2021,Trạm y tế,FF2",
    # Nobody on record: queued for review, not a new person.
    "NEN-3,Phạm Thị Mới,1992,Nữ,0987000222,,14755,Moderna (Spikevax),1,11/10/2021,,",
]


@pytest.fixture
def officer(world):
    return builders.officer(world)


def _csv(*lines, header=HEADER):
    return lib_imports.as_upload("mui-tiem.csv", "\n".join([header, *lines]).encode())


def test_good_rows_are_matched_or_queued_and_a_reimport_changes_nothing(world, staff, officer):
    person = builders.person(world, staff)
    result = import_doses(by=officer, upload=_csv(*GOOD), mode=lib_imports.KEEP_GOOD)
    assert (result.recorded, result.queued, result.unchanged, result.errors.total) == (2, 1, 0, 0)
    assert sorted(Dose.objects.values_list("person", "dose_number")) == [
        (person.pk, 1),
        (person.pk, 2),
    ]
    assert DoseReview.objects.get().full_name == "Phạm Thị Mới"
    again = import_doses(by=officer, upload=_csv(*GOOD), mode=lib_imports.KEEP_GOOD)
    assert (again.recorded, again.queued, again.unchanged) == (0, 0, 3)
    assert (Dose.objects.count(), DoseReview.objects.count()) == (2, 1)


def test_without_source_ids_a_reimport_meets_on_person_dose_and_day(world, staff, officer):
    builders.person(world, staff)
    lines = [",".join(["", *line.split(",")[1:]]) for line in GOOD]
    import_doses(by=officer, upload=_csv(*lines), mode=lib_imports.KEEP_GOOD)
    again = import_doses(by=officer, upload=_csv(*lines), mode=lib_imports.KEEP_GOOD)
    assert again.unchanged == 3 and (Dose.objects.count(), DoseReview.objects.count()) == (2, 1)


def test_headers_without_diacritics_in_another_order(world, staff, officer):
    builders.person(world, staff)
    header = "Vac xin,Mui so,Ngay tiem,Ma xa,CCCD,Ho va ten,Nam sinh"
    line = "AstraZeneca,Mũi 1,05/08/2021,14755,038080001234,Le Van Tiem,1980"
    result = import_doses(by=officer, upload=_csv(line, header=header), mode="keep_good")
    assert result.recorded == 1 and Dose.objects.get().product.code == "astrazeneca"


BAD = [
    ("NEN-9,Lê Văn A,1980,Nam,0912000001,,99999,Pfizer,1,11/10/2021,,", "Mã xã"),
    ("NEN-9,Lê Văn A,1980,Nam,0912000001,,14755,Covaxin,1,11/10/2021,,", "Vắc xin"),
    ("NEN-9,Lê Văn A,1980,Nam,0912000001,,14755,Pfizer,9,11/10/2021,,", "Mũi số"),
    ("NEN-9,Lê Văn A,1980,Nam,0912000001,,14755,Pfizer,1,31/02/2021,,", "Ngày tiêm"),
    ("NEN-9,Lê Văn A,1980,Nam,0912000001,123,14755,Pfizer,1,11/10/2021,,", "CCCD"),
    ("NEN-9,,1980,Nam,0912000001,,14755,Pfizer,1,11/10/2021,,", "Họ và tên"),
    ("NEN-9,Lê Văn A,,,,,14755,Pfizer,1,11/10/2021,,", "CCCD, số điện thoại"),
    # A commune of another district (outside commune A's officer's jurisdiction).
    ("NEN-9,Lê Văn A,1980,Nam,0912000001,,14809,Pfizer,1,11/10/2021,,", "không thuộc địa bàn"),
]


@pytest.mark.parametrize(("line", "words"), BAD)
def test_a_bad_row_is_reported_by_its_line(world, staff, officer, line, words):
    result = import_doses(by=officer, upload=_csv(GOOD[2], line), mode="keep_good")
    assert result.queued == 1
    assert [e["line"] for e in result.errors.entries] == [3]
    assert words in " ".join(result.errors.entries[0]["errors"])


def test_all_or_nothing_refuses_the_whole_file(world, staff, officer):
    result = import_doses(by=officer, upload=_csv(GOOD[2], BAD[0][0]), mode="all_or_nothing")
    assert result.refused and result.queued == 0
    assert DoseReview.objects.count() == 0


def test_xlsx(world, staff, officer):
    builders.person(world, staff)
    rows = [line.split(",") for line in GOOD]
    content = build_workbook("Mũi tiêm", HEADER.split(","), rows)
    result = import_doses(
        by=officer, upload=lib_imports.as_upload("m.xlsx", content), mode="keep_good"
    )
    assert (result.recorded, result.queued) == (2, 1)


def test_the_page_imports_the_same_way(client, world, staff, officer):
    builders.person(world, staff)
    client.force_login(officer)
    response = client.post(
        "/vaccination/import/", {"file": _csv(*GOOD, BAD[0][0]), "mode": "keep_good"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    waiting = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in waiting and 'hx-trigger="every 2s"' in waiting
    assert not Dose.objects.exists()  # nothing happens in the request itself
    assert background_imports.import_run(job_id=job.pk) == "done"  # the worker's task
    page = client.get(response["Location"]).content.decode()
    assert "Đã ghi 2 mũi tiêm; 1 mũi chờ xác định người" in page
    assert 'id="row-errors"' in page and "hx-trigger" not in page
    assert client.get(f"/imports/{job.pk}/errors.xlsx").status_code == 200
    job.refresh_from_db()
    assert job.upload.name == "" and job.result["recorded"] == 2  # the upload is gone


def test_the_command_imports_the_same_way(world, staff, officer, tmp_path, capsys):
    builders.person(world, staff)
    path = tmp_path / "mui-tiem.csv"
    path.write_text("\n".join([HEADER, *GOOD, BAD[0][0]]), encoding="utf-8")
    call_command("import_doses", str(path), "--user", officer.username)
    out = capsys.readouterr().out
    assert "dòng 5:" in out and "đã ghi 2, chờ xác định người 1" in out
    call_command("import_doses", str(path), "--user", officer.username)
    assert "đã có từ trước 3" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_doses", str(path), "--user", officer.username, "--all-or-nothing")
