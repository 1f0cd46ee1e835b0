"""Follow-up as offices work: group tasks with a status per member, recurring tasks with a
report per period, coordinating units reporting, item numbers as written, live figures
beside reports, and the API for document-management systems."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from phongdich.accounts.services import api_token_create
from phongdich.directives import indicators, overview, rules, services
from phongdich.directives.models import ProgressReport, Task, TaskIndicator

# --- rules, at every boundary ---------------------------------------------------------------


@pytest.mark.parametrize(
    "members, expected",
    [
        ([], None),
        (["open"], "open"),
        (["open", "open"], "open"),
        (["open", "in_progress"], "in_progress"),
        (["reported_done", "open"], "in_progress"),
        (["reported_done", "reported_done"], "reported_done"),
        (["accepted", "reported_done"], "reported_done"),
        (["accepted", "accepted"], "accepted"),
        (["accepted", "returned"], "returned"),
        (["returned", "open"], "returned"),
    ],
)
def test_members_add_up_to_the_tasks_status(members, expected):
    assert rules.task_status_of(members) == expected


@pytest.mark.parametrize(
    "recurrence, day, start",
    [
        ("daily", date(2022, 3, 7), date(2022, 3, 7)),
        ("weekly", date(2022, 3, 7), date(2022, 3, 7)),  # a Monday starts its week
        ("weekly", date(2022, 3, 13), date(2022, 3, 7)),  # the Sunday ends it
        ("weekly", date(2022, 3, 14), date(2022, 3, 14)),
        ("monthly", date(2022, 3, 1), date(2022, 3, 1)),
        ("monthly", date(2022, 3, 31), date(2022, 3, 1)),
        ("", date(2022, 3, 31), None),
    ],
)
def test_the_period_a_report_covers(recurrence, day, start):
    assert rules.period_start(recurrence, day) == start


@pytest.mark.parametrize(
    "text, recurrence",
    [
        ("Báo cáo kết quả hằng ngày về Sở Y tế trước 16 giờ.", "daily"),
        ("Tổng hợp, báo cáo hàng tuần vào thứ Sáu.", "weekly"),
        ("Báo cáo định kỳ hằng tháng.", "monthly"),
        ("Định kỳ báo cáo Ban Chỉ đạo.", "weekly"),
        ("Hoàn thành trước ngày 15/3/2022.", ""),
    ],
)
def test_recurrence_is_read_from_the_wording(text, recurrence):
    assert rules.recurrence_of(text) == recurrence


@pytest.mark.parametrize(
    "text, label",
    [
        ("1. Sở Y tế chủ trì", "1."),
        ("2- UBND các huyện", "2-"),
        ("Một là, tăng cường", "Một là"),
        ("a) Công an tỉnh", "a)"),
        ("3.1. Rà soát", "3.1."),
        ("IV. Tổ chức thực hiện", "IV."),
        ("Sở Y tế chủ trì", ""),
        ("- Các đơn vị", ""),
    ],
)
def test_item_numbers_as_the_document_writes_them(text, label):
    document = "Tiêu đề\n" + text
    assert rules.label_as_written(document, len("Tiêu đề\n")) == label


@pytest.mark.parametrize(
    "percent, target, done, agrees",
    [
        (None, 100, True, None),
        (80.0, 100, False, None),  # not reported done: nothing to flag
        (99.9, 100, True, False),
        (100.0, 100, True, True),
        (89.9, 90, True, False),
        (90.0, 90, True, True),
    ],
)
def test_a_figure_agrees_with_a_done_report_at_its_threshold(percent, target, done, agrees):
    assert rules.figure_agrees(reported_done=done, percent=percent, target=target) is agrees


def test_the_wording_proposes_an_indicator():
    assert rules.indicator_proposed("Lập danh sách người chưa tiêm từ 15 tuổi trở lên")[0] == (
        "outreach"
    )
    assert rules.indicator_proposed("Bố trí giường hồi sức tích cực")[0] == "beds"
    assert rules.indicator_proposed("Kiểm tra công tác tại doanh nghiệp") is None


# --- group tasks ----------------------------------------------------------------------------


def _group_task(confirmed):
    return confirmed.tasks.get(is_draft=False, ref="2")


def test_a_group_task_keeps_a_status_per_member_and_the_clerk_sees_who_reported(
    client, staff, confirmed, reporters
):
    task = _group_task(confirmed)
    services.task_report(
        by=reporters["a"], task=task, unit=reporters["unit_a"], status="reported_done", text="Xong."
    )
    task.refresh_from_db()
    statuses = {a.unit_id: a.status for a in task.assignments.filter(role="lead")}
    assert statuses == {reporters["unit_a"].pk: "reported_done", reporters["unit_b"].pk: "open"}
    assert task.status == Task.Status.IN_PROGRESS  # not done until every member is
    client.force_login(staff.directive_clerk)
    page = client.get(reverse("directives:task", args=[task.pk])).content.decode()
    assert 'id="members"' in page and "UBND Thị xã Bỉm Sơn" in page
    assert page.count("Báo cáo hoàn thành") >= 1 and "Chưa thực hiện" in page
    # The clerk's list has one row for the notice, not one per district.
    listing = client.get(reverse("directives:document", args=[confirmed.pk])).content.decode()
    assert listing.count(reverse("directives:task", args=[task.pk])) == 1


def test_a_coordinating_unit_reports_its_part_without_closing_the_task(staff, confirmed, directory):
    from phongdich.testing import make_user

    task = confirmed.tasks.get(is_draft=False, ref="1")  # Sở Y tế leads, Sở TT&TT coordinates
    coordinating = directory["Sở Thông tin và Truyền thông"]
    reporter = make_user("baocao.tttt", "unit_reporter", staff.directive_clerk.jurisdiction)
    services.membership_add(by=None, user=reporter, unit=coordinating)
    assert services.check_reporter_owns(reporter, task) == coordinating
    services.task_report(
        by=reporter, task=task, unit=coordinating, status="reported_done", text="Đã hỗ trợ."
    )
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    assert task.assignments.get(unit=coordinating).status == "reported_done"
    assert task.reports.get().unit == coordinating


# --- recurring tasks ------------------------------------------------------------------------


def test_a_recurring_task_has_a_report_per_period_and_is_never_closed_by_one(
    staff, confirmed, reporters, monkeypatch
):
    task = _group_task(confirmed)
    task.recurrence = "weekly"
    task.save()
    unit = reporters["unit_a"]
    monday = timezone.make_aware(timezone.datetime(2022, 3, 7, 9))
    for week, at in enumerate((monday, monday + timedelta(days=7))):
        monkeypatch.setattr(timezone, "now", lambda at=at: at)
        services.task_report(
            by=reporters["a"], task=task, unit=unit, status="reported_done", text=f"Tuần {week}"
        )
        task.refresh_from_db()
        assert task.status != Task.Status.REPORTED_DONE  # still followed next week
    periods = list(ProgressReport.objects.filter(task=task).values_list("period", flat=True))
    assert sorted(periods) == [date(2022, 3, 7), date(2022, 3, 14)]
    # The overview shows the current period: Thành phố reported this week, Bỉm Sơn not.
    rows = {r.pk: r for r in overview.recurring_now(date(2022, 3, 16))}
    assert (rows[task.pk].reported, rows[task.pk].members) == (1, 2)
    assert rows[task.pk].period == date(2022, 3, 14)
    next_week = {r.pk: r for r in overview.recurring_now(date(2022, 3, 21))}
    assert next_week[task.pk].reported == 0


# --- live figures ---------------------------------------------------------------------------


@pytest.fixture
def linked(confirmed, reporters, monkeypatch):
    """The group task tied to a figure reading 62.5%, reported done by both districts."""
    task = _group_task(confirmed)
    indicator = TaskIndicator.objects.update_or_create(
        task=task, defaults={"kind": "outreach", "status": "confirmed", "target_percent": 95}
    )[0]
    monkeypatch.setitem(
        indicators.READERS,
        TaskIndicator.Kind.OUTREACH,
        lambda i, user: indicators.Figure("Rà soát", "5 / 8", 62.5),
    )
    for key in ("a", "b"):
        services.task_report(
            by=reporters[key],
            task=task,
            unit=reporters[f"unit_{key}"],
            status="reported_done",
            text="Đã rà soát hết.",
        )
    return task, indicator


def test_a_task_reported_done_whose_figure_disagrees_is_flagged(client, staff, linked):
    task, _indicator = linked
    task.refresh_from_db()
    assert task.status == Task.Status.REPORTED_DONE
    flagged = indicators.disagreeing(staff.committee_member)
    assert [c.task.pk for c in flagged] == [task.pk]
    client.force_login(staff.committee_member)
    page = client.get(reverse("directives:overview")).content.decode()
    assert 'id="disagreeing"' in page and "62,5%" in page
    detail = client.get(reverse("directives:task", args=[task.pk])).content.decode()
    assert 'id="live-figure"' in detail and 'id="figure-disagrees"' in detail


def test_a_figure_that_agrees_is_not_flagged(staff, linked, monkeypatch):
    monkeypatch.setitem(
        indicators.READERS,
        TaskIndicator.Kind.OUTREACH,
        lambda i, user: indicators.Figure("Rà soát", "8 / 8", 100.0),
    )
    assert indicators.disagreeing(staff.committee_member) == []


def test_confirmation_proposes_a_link_from_the_wording_that_the_clerk_confirms(
    staff, confirmed, world, monkeypatch
):
    task = _group_task(confirmed)  # "Rà soát, lập danh sách người chưa tiêm vắc xin …"
    proposed = task.indicator
    assert proposed.kind == "outreach" and proposed.status == "proposed"
    assert indicators.figure(proposed, staff.directive_clerk) is None  # shown only once confirmed
    with pytest.raises(ValidationError):  # an outreach figure needs its commune
        services.indicator_confirm(by=staff.directive_clerk, task=task, kind="outreach")
    monkeypatch.setitem(
        indicators.READERS,
        TaskIndicator.Kind.OUTREACH,
        lambda i, user: indicators.Figure("Rà soát", "1 / 2", 50.0),
    )
    services.indicator_confirm(
        by=staff.directive_clerk, task=task, kind="outreach", area=world.commune_a
    )
    proposed.refresh_from_db()
    assert proposed.status == "confirmed" and proposed.area == world.commune_a
    with pytest.raises(ValidationError, match="đã được"):  # a second clerk is told who did
        services.indicator_confirm(
            by=staff.directive_clerk, task=task, kind="outreach", area=world.commune_a
        )


# --- API ------------------------------------------------------------------------------------


def test_the_api_lists_documents_and_tasks_and_takes_a_report_once(
    client, staff, confirmed, reporters
):
    _token, raw = api_token_create(by=staff.province_admin, name="QLVB")
    committee = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    documents = client.get("/api/directives/documents", **committee).json()
    assert [d["number"] for d in documents] == [confirmed.number]
    tasks = client.get(f"/api/directives/documents/{confirmed.pk}/tasks", **committee).json()
    group = next(t for t in tasks if t["number"].startswith("2"))
    assert {m["status"] for m in group["members"]} == {"open"}

    # Unit reporters may not hold API tokens (accounts.API_TOKEN_ROLES): their session.
    client.force_login(reporters["a"])
    reporter = {"HTTP_IDEMPOTENCY_KEY": "report-0001"}
    url = f"/api/directives/tasks/{group['id']}/reports"
    body = {"status": "in_progress", "text": "Đang rà soát."}
    first = client.post(url, body, content_type="application/json", **reporter)
    again = client.post(url, body, content_type="application/json", **reporter)
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["unit"] == "UBND Thành phố Thanh Hóa"
    other = client.post(url, {**body, "text": "khác"}, content_type="application/json", **reporter)
    assert other.status_code == 409
    sở_y_tế = next(t for t in tasks if t["number"].startswith("1"))
    hidden = client.get(f"/api/directives/tasks/{sở_y_tế['id']}", **reporter)
    assert hidden.status_code == 404  # another unit's task
    assert client.get("/api/directives/documents", **reporter).status_code == 403
    assert "/api/directives/tasks/{pk}/reports" in client.get("/api/openapi.json").json()["paths"]


def test_each_district_sees_its_own_share_in_its_list_and_home_figures(
    client, confirmed, reporters
):
    task = _group_task(confirmed)
    services.task_report(
        by=reporters["a"], task=task, unit=reporters["unit_a"], status="reported_done", text="Xong."
    )
    url = reverse("directives:task", args=[task.pk])
    shown = {}
    for key in ("a", "b"):
        client.force_login(reporters[key])
        page = client.get(reverse("directives:mine") + "?show=reported").content.decode()
        shown[key] = url in page
    assert shown == {"a": True, "b": False}
