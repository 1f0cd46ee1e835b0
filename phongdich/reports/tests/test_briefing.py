"""The committee's briefing: drafted from the precomputed figures, kept as it was, read as
PDF, DOCX and XLSX, drafted once a day by the scheduler, scoped to the reader's area."""

from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from phongdich.reports import render, services
from phongdich.reports.models import Briefing
from phongdich.schedule.jobs import JOBS
from phongdich.stats.models import UnitFigure


def _figure(unit, metric, value, day=None):
    UnitFigure.objects.create(
        day=day or timezone.localdate(), unit=unit, metric=metric, value=value
    )


def _lines(content, key):
    section = next(s for s in content["sections"] if s["key"] == key)
    return dict((label, value) for label, value in section["lines"]), section


def test_a_briefing_sums_flows_over_its_range_and_takes_levels_at_its_end(world, staff):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    for day, new, active in ((yesterday, 7, 30), (today, 5, 33)):
        _figure(world.province, "cases.new", new, day)
        _figure(world.province, "cases.active_home", active, day)
        _figure(world.district_a, "cases.new", new - 1, day)
    briefing = services.briefing_create(
        by=staff.committee_member, unit=world.province, day_from=yesterday, day_to=today
    )
    lines, section = _lines(briefing.content, "situation")
    assert lines["Ca mắc mới"] == 12  # 7 + 5
    assert lines["Đang điều trị tại nhà"] == 33  # the level on the last day, not 63
    table = section["tables"][0]
    assert table["rows"][0][:2] == [world.district_a.name, 10]
    assert table["rows"][-1][:2] == ["Tổng", 12]


def test_testing_tracing_and_quarantine_sum_flows_and_take_people_in_quarantine_at_the_end(
    world, staff
):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    for day, samples, positives, in_quarantine in ((yesterday, 300, 6, 40), (today, 100, 2, 44)):
        _figure(world.province, "labtests.samples", samples, day)
        _figure(world.province, "labtests.positives", positives, day)
        _figure(world.province, "quarantine.active", in_quarantine, day)
    _figure(world.province, "tracing.contacts", 9, today)
    briefing = services.briefing_create(
        by=staff.committee_member, unit=world.province, day_from=yesterday, day_to=today
    )
    lines, section = _lines(briefing.content, "testing")
    assert lines["Mẫu xét nghiệm đã lấy"] == 400
    assert lines["Mẫu dương tính"] == 8
    assert lines["Tiếp xúc được lập danh sách"] == 9
    assert lines["Người đang cách ly (cuối kỳ)"] == 44
    assert section["notes"] == ["Tỷ lệ mẫu dương tính: 2,0%."]


def test_a_kept_briefing_opens_as_it_was_drafted(client, world, staff):
    today = timezone.localdate()
    _figure(world.province, "cases.new", 4)
    briefing = services.briefing_create(
        by=staff.committee_member, unit=world.province, day_from=today, day_to=today
    )
    UnitFigure.objects.filter(metric="cases.new").update(value=400)  # later figures
    client.force_login(staff.committee_member)
    page = client.get(f"/reports/{briefing.pk}/").content.decode()
    assert '<td class="num">4</td>' in page and "400" not in page


def test_the_three_papers_render_the_same_figures(client, world, staff):
    from docx import Document
    from openpyxl import load_workbook
    from pdfplumber import open as open_pdf

    today = timezone.localdate()
    _figure(world.province, "cases.new", 1234)
    briefing = services.briefing_create(
        by=staff.committee_member, unit=world.province, day_from=today, day_to=today
    )
    client.force_login(staff.committee_member)
    pdf = client.get(f"/reports/{briefing.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    with open_pdf(BytesIO(pdf.content)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "BÁO CÁO NHANH" in text and "1.234" in text and "Tình hình dịch" in text
    docx = Document(BytesIO(client.get(f"/reports/{briefing.pk}/docx/").content))
    assert any("Ca mắc mới: 1.234" in p.text for p in docx.paragraphs)
    workbook = load_workbook(BytesIO(client.get(f"/reports/{briefing.pk}/xlsx/").content))
    summary = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert ("Tình hình dịch", "Ca mắc mới", "1234") in summary or (
        "Tình hình dịch",
        "Ca mắc mới",
        1234,
    ) in summary


@pytest.mark.parametrize(
    "offset_from, offset_to, ok",
    [
        (0, 0, True),
        (91, 0, True),  # 92 days, the longest briefing
        (92, 0, False),  # 93 days
        (0, 1, False),  # ends after its start? from today to yesterday: refused
        (-1, -1, False),  # tomorrow
    ],
)
def test_the_range_is_checked(world, staff, offset_from, offset_to, ok):
    today = timezone.localdate()
    day_from, day_to = today - timedelta(days=offset_from), today - timedelta(days=offset_to)
    if ok:
        services.briefing_create(
            by=staff.committee_member, unit=world.province, day_from=day_from, day_to=day_to
        )
    else:
        with pytest.raises(ValidationError):
            services.briefing_create(
                by=staff.committee_member, unit=world.province, day_from=day_from, day_to=day_to
            )


def test_the_form_refuses_a_bad_range_with_a_message_and_no_500(client, world, staff):
    client.force_login(staff.committee_member)
    response = client.post(
        "/reports/new/",
        {"unit": world.province.pk, "day_from": "02/01/2022", "day_to": "01/01/2022"},
    )
    assert response.status_code == 400
    assert "Ngày bắt đầu phải trước" in response.content.decode()
    response = client.post("/reports/new/", {"unit": "999999", "day_from": "x", "day_to": ""})
    assert response.status_code == 400
    response = client.post(
        "/reports/new/",
        {"unit": world.province.pk, "day_from": "01/01/2022", "day_to": "02/01/2022"},
    )
    assert response.status_code == 302 and Briefing.objects.count() == 1


def test_the_daily_draft_is_a_scheduled_job_made_once_from_its_hour(world, settings):
    assert "phongdich.reports.tasks.draft_daily" in {job.task_path for job in JOBS}
    settings.BRIEFING_DRAFT_HOUR = 6
    settings.HOME_PROVINCE_CODE = world.province.code
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    before = datetime.combine(today, datetime.min.time(), tzinfo=tz).replace(hour=5, minute=59)
    assert services.drafts_due(before) == []
    at = before.replace(hour=6, minute=0)
    made = services.drafts_due(at)
    assert {b.unit for b in made} == {world.province, world.district_a, world.district_b}
    assert all(b.day_to == today - timedelta(days=1) for b in made)
    assert services.drafts_due(at.replace(hour=9)) == []  # once a day
    assert Briefing.objects.filter(kind=Briefing.Kind.DAILY).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_drafting_at_once_make_one_draft(world):
    from phongdich.testing import race

    day = timezone.localdate() - timedelta(days=1)
    outcomes = race([lambda: services.briefing_draft_daily(unit=world.province, day=day)] * 4)
    assert all(kind == "ok" for kind, _value in outcomes), outcomes
    assert Briefing.objects.filter(unit=world.province, kind=Briefing.Kind.DAILY).count() == 1


def test_briefings_are_scoped_to_the_readers_area(client, world, staff):
    today = timezone.localdate()
    other = services.briefing_create(
        by=staff.province_health_officer, unit=world.district_b, day_from=today, day_to=today
    )
    client.force_login(staff.district_health_officer_a)
    assert client.get(f"/reports/{other.pk}/").status_code == 404
    assert client.get(f"/reports/{other.pk}/xlsx/").status_code == 404
    page = client.get("/reports/").content.decode()
    assert world.district_b.name not in page
    client.force_login(staff.commune_worker_a)
    assert client.get("/reports/").status_code == 403


def test_numbers_are_written_the_vietnamese_way():
    assert render._value(1234567) == "1.234.567"
    assert render._value(12.5) == "12,5"
