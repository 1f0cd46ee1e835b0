"""No one missed: who is on a commune's list, outcomes, and the "không bỏ sót" share."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.lib.idempotency import new_key
from phongdich.vaccination import outreach, services, summary
from phongdich.vaccination.models import OutreachOutcome, OutreachSummary

from . import builders

TODAY = timezone.localdate()


@pytest.fixture
def officer(world):
    return builders.officer(world)


def _people(world, staff, officer):
    """Five residents of commune A: none, overdue, up to date, a child, a toddler."""
    make = lambda name, year, phone: builders.person(  # noqa: E731
        world, staff, full_name=name, birth_year=year, phone=phone, id_number=""
    )
    none = make("Ông Chưa Tiêm", 1960, "0911000001")
    overdue = make("Bà Quá Hạn", 1970, "0911000002")
    done = make("Anh Đủ Mũi", 1990, "0911000003")
    child = make("Cháu Mười Sáu", TODAY.year - 16, "0911000004")
    make("Bé Ba Tuổi", TODAY.year - 3, "0911000005")  # not eligible: neither listed nor counted
    dose = lambda p, n, days, kind="": services.dose_record_for_person(  # noqa: E731
        by=officer,
        person=p,
        dose=builders.dose("pfizer", n, TODAY - timedelta(days=days), kind=kind),
    )
    dose(overdue, 1, 60)  # dose 2 was due 21 days after: 39 days overdue
    dose(done, 1, 40)
    dose(done, 2, 19)  # booster not due before 90 days
    return none, overdue, done, child


def test_the_list_and_the_not_missed_share(world, staff, officer):
    none, overdue, done, child = _people(world, staff, officer)
    found = outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY)
    listed = {e.person.pk: e for e in found.entries}
    assert set(listed) == {none.pk, overdue.pk, child.pk}
    assert listed[overdue.pk].need == outreach.OVERDUE and listed[overdue.pk].days_overdue == 39
    assert (found.eligible, found.accounted) == (4, 1)
    # Outcomes account for people still on the list; a postponement ends on its day.
    outreach.outreach_outcome_record(
        by=officer, person=none, kind="refused", reason="sợ tác dụng phụ"
    )
    outreach.outreach_outcome_record(
        by=officer, person=child, kind="postponed", until=TODAY + timedelta(days=1)
    )
    found = outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY)
    assert (found.eligible, found.accounted, found.not_missed) == (4, 3, 0.75)
    later = outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY + timedelta(days=2))
    assert later.accounted == 2
    waiting = outreach.outreach_list(world.commune_a, outreach.Filters(without_outcome=True), TODAY)
    assert [e.person for e in waiting.entries] == [overdue]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"min_age": 15}, {"none", "overdue", "child"}),
        ({"min_age": 18}, {"none", "overdue"}),
        ({"need": "unvaccinated", "min_age": 15}, {"none", "child"}),
        ({"need": "overdue"}, {"overdue"}),
        ({"min_days_overdue": 39}, {"overdue"}),
        ({"min_days_overdue": 40}, set()),
        ({"dose_number": 2}, {"overdue"}),
        ({"max_age": 17}, {"child"}),
    ],
)
def test_filters(world, staff, officer, filters, expected):
    none, overdue, done, child = _people(world, staff, officer)
    names = {none.pk: "none", overdue.pk: "overdue", done.pk: "done", child.pk: "child"}
    found = outreach.outreach_list(world.commune_a, outreach.Filters(**filters), TODAY)
    assert {names[e.person.pk] for e in found.entries} == expected


def test_the_outcome_needs_its_details(world, staff, officer):
    person = builders.person(world, staff)
    with pytest.raises(Exception, match="lý do"):
        outreach.outreach_outcome_record(by=officer, person=person, kind="refused")
    with pytest.raises(Exception, match="ngày hết tạm hoãn"):
        outreach.outreach_outcome_record(by=officer, person=person, kind="postponed")


def test_the_page_the_outcome_and_the_export(client, world, staff, officer):
    none, *_rest = _people(world, staff, officer)
    client.force_login(officer)
    query = {"commune": world.commune_a.pk, "min_age": 15}
    page = client.get("/vaccination/outreach/", query).content.decode()
    assert "Ông Chưa Tiêm" in page and "Bé Ba Tuổi" not in page
    assert AuditEvent.objects.filter(action="vaccination.outreach").exists()
    key = new_key()
    post = {
        "person_id": none.pk,
        "kind": "booked",
        "reason": "hẹn thứ Bảy",
        "submission_key": key,
        "back": f"commune={world.commune_a.pk}&min_age=15",
    }
    client.post("/vaccination/outreach/outcome/", post)
    client.post("/vaccination/outreach/outcome/", post)  # a double click
    assert OutreachOutcome.objects.filter(person=none).count() == 1
    page = client.get("/vaccination/outreach/", query).content.decode()
    assert "Đã liên hệ, hẹn lịch tiêm" in page
    response = client.get("/vaccination/outreach.xlsx", query)
    assert response.status_code == 200 and response.content[:2] == b"PK"
    # Another commune's people or list are out of reach.
    other = builders.person(
        world,
        staff,
        commune=world.commune_b,
        full_name="Người Bắc Sơn",
        phone="0911000099",
        id_number="",
    )
    assert (
        client.post(
            "/vaccination/outreach/outcome/",
            {**post, "person_id": other.pk, "submission_key": new_key()},
        ).status_code
        == 404
    )
    page = client.get("/vaccination/outreach/", {"commune": world.commune_b.pk}).content.decode()
    assert "Người Bắc Sơn" not in page


def test_the_list_costs_the_same_queries_whatever_its_size(
    world, staff, officer, django_assert_num_queries
):
    _people(world, staff, officer)
    current = services.policy()
    outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY, current)  # summaries
    # summaries hold?, the figures, the rows shown with their people, their outcomes
    with django_assert_num_queries(4):
        small = outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY, current)
    for i in range(30):
        builders.person(
            world,
            staff,
            full_name=f"Người Thêm {i}",
            birth_year=1980 + i % 20,
            phone=f"09120000{i:02d}",
            id_number="",
        )
    outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY, current)
    with django_assert_num_queries(4):
        large = outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY, current)
    assert len(large.entries) == len(small.entries) + 30 == large.total


def test_a_dose_recorded_drops_the_summary_and_the_person_leaves_the_list(world, staff, officer):
    none, *_rest = _people(world, staff, officer)
    before = outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY)
    assert none.pk in {e.person.pk for e in before.entries}
    assert OutreachSummary.objects.filter(person=none).exists()
    services.dose_record_for_person(
        by=officer, person=none, dose=builders.dose(n=1, day=TODAY - timedelta(days=1))
    )
    assert not OutreachSummary.objects.filter(person=none).exists()
    after = outreach.outreach_list(world.commune_a, outreach.Filters(), TODAY)
    assert none.pk not in {e.person.pk for e in after.entries}
    assert after.accounted == before.accounted + 1


def test_a_summary_is_recomputed_on_a_birthday_and_on_a_policy_change(world, staff, officer):
    """Age 14 on the day before 1 January of the year the person turns 15 by birth year."""
    young = builders.person(
        world,
        staff,
        full_name="Em Sắp Lớn",
        birth_year=TODAY.year - 15 + 1,
        id_number="",
        phone="0912777888",
    )
    eve = date(TODAY.year, 12, 31)
    filters = outreach.Filters(min_age=15, need="unvaccinated")
    assert young.pk not in {
        e.person.pk for e in outreach.outreach_list(world.commune_a, filters, eve).entries
    }
    row = OutreachSummary.objects.get(person=young)
    assert row.valid_until == date(TODAY.year + 1, 1, 1)
    next_year = date(TODAY.year + 2, 1, 1)
    assert young.pk in {
        e.person.pk for e in outreach.outreach_list(world.commune_a, filters, next_year).entries
    }
    # Another policy: every row is recomputed under it.
    changed = services.policy()
    changed = type(changed)(changed.products, changed.intervals, (), changed.mixes)
    listed = outreach.outreach_list(world.commune_a, outreach.Filters(), next_year, changed)
    assert young.pk not in {e.person.pk for e in listed.entries}
    row = OutreachSummary.objects.get(person=young)
    assert row.policy_key == summary.policy_key(changed) and not row.eligible


def test_the_page_is_paginated(client, world, staff, officer, monkeypatch):
    from phongdich.vaccination import views

    _people(world, staff, officer)
    monkeypatch.setattr(views, "OUTREACH_PAGE", 2)
    client.force_login(officer)
    query = {"commune": world.commune_a.pk}
    first = client.get("/vaccination/outreach/", query).content.decode()
    second = client.get("/vaccination/outreach/", {**query, "page": 2}).content.decode()
    assert "Trang 1/2" in first and "Trang 2/2" in second
    assert client.get("/vaccination/outreach/", {**query, "page": "x"}).status_code == 200
    assert client.get("/vaccination/outreach/", {**query, "page": "999"}).status_code == 200


def test_the_printed_list_for_the_commune_team(client, world, staff, officer, monkeypatch):
    from io import BytesIO

    from pdfminer.high_level import extract_text

    from phongdich.vaccination import views_print

    none, overdue, _done, child = _people(world, staff, officer)
    client.force_login(officer)
    query = {"commune": world.commune_a.pk, "min_age": 15}
    page = client.get("/vaccination/outreach/", query).content.decode()
    assert 'id="outreach-print"' in page
    response = client.get("/vaccination/outreach.pdf", query)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(extract_text(BytesIO(response.content)).split())
    for name in ("Ông Chưa Tiêm", "Bà Quá Hạn", "Cháu Mười Sáu"):
        assert name in text
    assert "Anh Đủ Mũi" not in text and "Bé Ba Tuổi" not in text
    assert world.commune_a.label() in text  # the place with its district
    assert "từ 15 tuổi" in text and TODAY.strftime("%d/%m/%Y") in text
    event = AuditEvent.objects.get(action="vaccination.outreach_print")
    assert event.subjects.count() == 3
    # Past the printing cap the paper says how many more there are.
    monkeypatch.setattr(views_print, "PRINT_MAX", 2)
    text = " ".join(
        extract_text(BytesIO(client.get("/vaccination/outreach.pdf", query).content)).split()
    )
    assert "còn 1 người" in text
    # Bad filters never give a 500; another commune is out of reach.
    assert client.get("/vaccination/outreach.pdf", {"commune": "x"}).status_code == 302
    response = client.get("/vaccination/outreach.pdf", {"commune": world.commune_b.pk})
    assert response.status_code == 302


def test_the_refresh_job_leaves_every_commune_list_warm(world, staff, officer):
    """After `vaccination.refresh_outreach` a commune's list recomputes nobody, whichever
    commune: a new year's ages and people with no summary at all are done by the job."""
    from phongdich.schedule.jobs import JOBS
    from phongdich.vaccination import tasks

    job = {j.name: j for j in JOBS}["vaccination.refresh_outreach"]
    assert job.task_path == "phongdich.vaccination.tasks.refresh_outreach"
    assert job.every == timedelta(hours=6)
    _people(world, staff, officer)
    other = builders.person(
        world, staff, full_name="Chị Xã Khác", birth_year=1985, phone="0913000001", id_number=""
    )
    other.commune = world.commune_b
    other.save()
    OutreachSummary.objects.all().delete()  # as a bulk load leaves them: none
    current = services.policy()
    residents = lambda commune: summary.Person.objects.filter(commune=commune)  # noqa: E731
    assert tasks.refresh_outreach.call() == 6  # every resident of both communes
    assert summary.ensure_fresh(residents(world.commune_a), TODAY, current) == 0
    assert summary.ensure_fresh(residents(world.commune_b), TODAY, current) == 0
    # A new year: every birth-year age changes, the job does them; the list then reads warm.
    new_year = date(TODAY.year + 1, 1, 1)
    assert summary.refresh_all(new_year) == 6
    assert summary.ensure_fresh(residents(world.commune_a), new_year, current) == 0
    assert summary.refresh_all(new_year) == 0


def test_the_export_is_laid_out_as_the_communes_list(client, world, staff, officer):
    """The XLSX carries the station's heading (commune with its district, the motto, the
    title, the day, the filters and the list's figures), the table, and the signatures."""
    import io

    from openpyxl import load_workbook

    _people(world, staff, officer)
    client.force_login(officer)
    query = {"commune": world.commune_a.pk, "min_age": 15}
    response = client.get("/vaccination/outreach.xlsx", query)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    text = "\n".join(" | ".join(str(c) for c in row) for row in cells)
    assert cells[0] == [
        f"TRẠM Y TẾ {world.commune_a.name.upper()}",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    ]
    assert world.district_a.name in cells[1]
    assert "DANH SÁCH NGƯỜI CẦN TIÊM VẮC XIN PHÒNG COVID-19" in text
    assert f"{world.commune_a.label()}, ngày {TODAY:%d/%m/%Y}" in text
    assert "Điều kiện lọc: từ 15 tuổi" in text
    found = outreach.outreach_list(world.commune_a, outreach.Filters(min_age=15), TODAY)
    assert f"Số người trong danh sách: {found.total};" in text and found.total == 3
    header = next(i for i, row in enumerate(cells) if row[:2] == ["STT", "Họ và tên"])
    listed = [row[1] for row in cells[header + 1 : header + 1 + found.total]]
    assert sorted(listed) == sorted(e.person.full_name for e in found.entries)
    assert cells[-2] == ["Người lập biểu", "Trưởng trạm y tế"]
    assert sheet.print_title_rows == f"${header + 1}:${header + 1}"  # 1-based: the header
    assert sheet.page_setup.orientation == "landscape"


def _streamed(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.streaming and response["Content-Type"].startswith("text/html")
    return b"".join(response.streaming_content).decode()


def test_the_whole_list_prints_in_keyset_batches_with_one_audited_read(
    client, world, staff, officer, monkeypatch
):
    """Past the PDF's cap the browser print has everyone, in name order, numbered through
    the batches; one read event lists every person printed; the queries grow by two per
    batch, never per row; another commune is out of reach; no working note on the paper."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from phongdich.web.tests.test_printed_papers import working_notes

    _people(world, staff, officer)
    for n in range(4):  # seven people on the list with the three of _people
        builders.person(
            world, staff, full_name=f"Người Thêm {n}", birth_year=1980, phone="", id_number=""
        )
    client.force_login(officer)
    query = {"commune": world.commune_a.pk, "min_age": 15}
    page = client.get("/vaccination/outreach/", query).content.decode()
    assert 'id="outreach-print-all"' in page and "/vaccination/outreach/print/?" in page
    listed = outreach.outreach_list(world.commune_a, outreach.Filters(min_age=15), TODAY)
    expected = [e.person.full_name for e in listed.entries]  # the list page's name order
    assert len(expected) == 7

    def printed(size):
        monkeypatch.setattr(outreach, "PRINT_BATCH", size)
        with CaptureQueriesContext(connection) as queries:
            html = _streamed(client.get("/vaccination/outreach/print/", query))
        return html, len(queries)

    html, by_three = printed(3)  # batches of 3, 3, 1
    rows = html.split("<tr>")[2:]  # after the header row
    assert len(rows) == 7
    names = [row.split("<td>")[2].split("</td>")[0] for row in rows]
    assert names == expected  # every batch in order, none twice
    assert [row.split("<td>")[1].split("</td>")[0] for row in rows] == [str(n) for n in range(1, 8)]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and world.commune_a.label() in html
    assert "Bản in gồm 7 người" in html and "TRƯỞNG TRẠM Y TẾ" in html
    paper = html.split("</style>", 1)[1]
    text = " ".join(
        re.sub(
            r"<[^>]+>", " ", paper.split('<p class="screen">')[0] + paper.split("</p>", 1)[1]
        ).split()
    )
    assert not working_notes(text), working_notes(text)
    event = AuditEvent.objects.filter(action="vaccination.outreach_print").get()
    assert event.subjects.count() == 7 and event.changes["count"] == 7

    # Each batch costs its rows, its outcomes and its audit subjects; a full last batch one
    # more read that finds nothing. Nothing grows with the rows themselves.
    def batch_queries(size):
        batches = -(-7 // size)
        return 3 * batches + (1 if 7 % size == 0 else 0)

    _html, by_one = printed(1)
    _html, by_seven = printed(7)
    assert by_one - by_seven == batch_queries(1) - batch_queries(7)
    assert by_three - by_seven == batch_queries(3) - batch_queries(7)
    assert AuditEvent.objects.filter(action="vaccination.outreach_print").count() == 3
    # Bad filters never give a 500; another commune is out of reach.
    assert client.get("/vaccination/outreach/print/", {"commune": "x"}).status_code == 302
    response = client.get("/vaccination/outreach/print/", {"commune": world.commune_b.pk})
    assert response.status_code == 302
