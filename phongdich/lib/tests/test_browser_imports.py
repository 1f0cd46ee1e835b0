"""In Chromium: an officer uploads a dose file on the vaccination import page, is sent to
the background import's progress page, watches it change (htmx, every 2 s, no reload) while
the worker's task runner runs the job, then reads the report with its line-numbered errors;
another officer opening the same job gets a 404."""

import dataclasses

import pytest
from playwright.sync_api import expect

from phongdich.lib import background_imports as bg
from phongdich.lib.models import ImportJob
from phongdich.vaccination.models import Dose, DoseReview
from phongdich.vaccination.tests import builders

HEADER = (
    "Mã bản ghi,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,CCCD,Mã xã,Vắc xin,Mũi số,"
    "Ngày tiêm,Điểm tiêm,Số lô"
)
GOOD = [
    "NEN-1,Lê Văn Tiêm,01/05/1980,Nam,0912345678,038080001234,14755,Pfizer,1,11/10/2021,Trạm y tế,FF1",
    "NEN-2,Lê Văn Tiêm,01/05/1980,Nam,0912345678,038080001234,14755,pfizer,2,01/11/2021,Trạm y tế,FF2",
]
# Nobody on record: each waits in the review queue, not a new person.
QUEUED = [
    f"NEN-Q{n},Phạm Thị Mới {n},1992,Nữ,09870{n:05d},,14755,Moderna (Spikevax),1,11/10/2021,,"
    for n in range(60)
]
BAD = [
    "NEN-9,Lê Văn A,1980,Nam,0912000001,,99999,Pfizer,1,11/10/2021,,",  # unknown commune
    "NEN-10,Lê Văn B,1980,Nam,0912000002,,14755,Pfizer,9,11/10/2021,,",  # dose number 9
]


@pytest.mark.django_db(transaction=True)
def test_an_officer_watches_a_background_dose_import_and_reads_its_report(
    live_server, page, login, world, staff, tmp_path, monkeypatch
):
    builders.product("pfizer")  # the vaccine list (a transactional test flushes the seed)
    builders.person(world, staff)
    officer = builders.officer(world)
    other = builders.officer(world, name="tiemchung.a2")
    lines = [HEADER, *GOOD, *QUEUED, *BAD]
    bad_lines = [len(lines) - 1, len(lines)]  # the file's line numbers, header = 1
    path = tmp_path / "mui-tiem.csv"
    path.write_text("\n".join(lines), encoding="utf-8")

    login(officer)
    page.goto(f"{live_server.url}/vaccination/import/")
    page.set_input_files("input[name=file]", str(path))
    page.check("input[name=mode][value=keep_good]")
    page.get_by_role("button", name="Nhập").click()
    job = ImportJob.objects.get(owner=officer)
    page.wait_for_url(f"{live_server.url}/imports/{job.pk}/")
    status = page.locator("#import-job")
    expect(status).to_have_attribute("data-status", "queued")
    assert not Dose.objects.exists()  # the request only stored the file
    # A mark a reload would wipe: it must survive every change below (htmx swaps only).
    page.evaluate("window.stillTheSamePage = true")

    # The worker's task runner, as the worker calls it. Its run is held at the first step
    # until the page has shown it, so the test sees each state instead of racing it.
    kind = bg.get_kind("vaccination.doses")
    seen = []

    def held_run(**kwargs):
        expect(status).to_have_attribute("data-status", "running", timeout=10_000)
        kwargs["progress"]("read", 10, len(lines) - 1)
        expect(status).to_contain_text(f"10 / {len(lines) - 1} dòng", timeout=10_000)
        expect(status).to_contain_text("Đang đọc và kiểm tra tệp")
        seen.append(page.evaluate("window.stillTheSamePage === true"))
        return kind.run(**kwargs)

    monkeypatch.setattr(
        bg,
        "get_kind",
        lambda name: dataclasses.replace(kind, run=held_run) if name == kind.name else None,
    )
    assert bg.import_run(job_id=job.pk) == "done"
    assert seen == [True]

    expect(status).to_have_attribute("data-status", "done", timeout=10_000)
    report = page.locator("#import-report")
    expect(report).to_contain_text("Đã ghi 2 mũi tiêm; 60 mũi chờ xác định người")
    rows = page.locator("#row-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(str(bad_lines[0]))
    expect(rows.nth(0)).to_contain_text("Mã xã")
    expect(rows.nth(1)).to_contain_text(str(bad_lines[1]))
    expect(rows.nth(1)).to_contain_text("Mũi số")
    assert page.evaluate("window.stillTheSamePage === true")  # never reloaded
    assert page.locator("#import-job[hx-trigger]").count() == 0  # polling stopped
    assert (Dose.objects.count(), DoseReview.objects.count()) == (2, 60)

    page.context.clear_cookies()
    login(other)
    response = page.goto(f"{live_server.url}/imports/{job.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/imports/{job.pk}/errors.xlsx")
    assert response.status == 404
