import io
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from phongdich.audit.tests.exports import download_export
from phongdich.directives.models import Document, Task
from phongdich.directives.views import highlight
from phongdich.testing import PASSWORD


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _task_of(document, unit, ref="2"):
    return document.tasks.get(is_draft=False, ref=ref, assignments__unit=unit)


def test_the_clerk_uploads_reviews_and_confirms(client, staff, directory, small_upload):
    _login(client, staff.directive_clerk)
    response = client.post(reverse("directives:import"), {"file": small_upload})
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:document", args=[document.pk])
    page = client.get(response["Location"]).content.decode()
    first = document.tasks.order_by("position").first()
    assert f'id="span-{first.pk}"' in page and "<mark" in page
    assert "Ban Quản lý các khu công nghiệp tỉnh" in page  # proposed as a new unit

    edit = client.post(
        reverse("directives:task_edit", args=[first.pk]),
        {
            "text": first.text,
            "deadline": "16/03/2022",
            "deadline_text": "x",
            "lead_units": [directory["Sở Y tế"].pk],
        },
        HTTP_HX_REQUEST="true",
    )
    assert edit.status_code == 200 and "16/03/2022" in edit.content.decode()
    last = document.tasks.order_by("position").last()
    client.post(reverse("directives:task_delete", args=[last.pk]))
    assert document.tasks.count() == 3

    client.post(reverse("directives:document_confirm", args=[document.pk]))
    document.refresh_from_db()
    assert document.status == Document.Status.CONFIRMED
    assert document.tasks.filter(is_draft=False).count() == 3  # the group task is one
    detail = client.get(reverse("directives:document", args=[document.pk]))
    assert detail.status_code == 200 and "16/03/2022" in detail.content.decode()


def test_it_shows_progress_while_a_big_file_is_read_in_the_background(
    client, staff, directory, small_text, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from phongdich.directives import services

    document = services.document_import(by=staff.directive_clerk, text=small_text, background=True)
    _login(client, staff.directive_clerk)
    url = reverse("directives:document_progress", args=[document.pk])
    polling = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in polling
    services.document_extract(document=document)  # what the job does
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == reverse("directives:document", args=[document.pk])


def test_the_reporters_list_names_the_lead_units_and_not_the_coordinating_ones(
    client, confirmed, reporters
):
    import re

    from phongdich.directives.models import TaskAssignment

    own = _task_of(confirmed, reporters["unit_a"])
    TaskAssignment.objects.create(task=own, role="lead", name="Tổ công tác thử")
    TaskAssignment.objects.create(task=own, role="coordinating", name="Đơn vị phối hợp thử")
    leads = [str(a) for a in own.assignments.filter(role="lead").order_by("pk")]
    _login(client, reporters["a"])
    listing = client.get(reverse("directives:mine")).content.decode()
    link = reverse("directives:task", args=[own.pk])
    row = next(r for r in re.findall(r"<tr>.*?</tr>", listing, re.S) if link in r)
    assert ", ".join(leads) in row and leads[-1] == "Tổ công tác thử"
    assert "Đơn vị phối hợp thử" not in row


def test_a_reporter_sees_and_updates_only_their_units_tasks(client, staff, confirmed, reporters):
    own = _task_of(confirmed, reporters["unit_a"])
    other = confirmed.tasks.get(is_draft=False, ref="1")  # Sở Y tế's
    _login(client, reporters["a"])
    listing = client.get(reverse("directives:mine")).content.decode()
    assert reverse("directives:task", args=[own.pk]) in listing
    assert reverse("directives:task", args=[other.pk]) not in listing
    assert client.get(reverse("directives:task", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("directives:task_report", args=[other.pk]),
        {"status": "reported_done", "text": "xong"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Task.Status.OPEN

    upload = SimpleUploadedFile("danh-sach.txt", b"ok")
    client.post(
        reverse("directives:task_report", args=[own.pk]),
        {"status": "reported_done", "text": "Đã lập danh sách.", "attachments": [upload]},
    )
    own.refresh_from_db()
    # Bỉm Sơn has not reported its part: the group task is still in progress.
    assert own.status == Task.Status.IN_PROGRESS
    assert own.assignments.get(unit=reporters["unit_a"]).status == Task.Status.REPORTED_DONE
    attachment = own.reports.get().attachments.get()
    assert client.get(reverse("directives:attachment", args=[attachment.pk])).status_code == 200
    # Bỉm Sơn, a member of the same group task, reads it; a unit outside the task does not.
    _login(client, reporters["b"])
    assert client.get(reverse("directives:attachment", args=[attachment.pk])).status_code == 200
    from phongdich.directives import services
    from phongdich.testing import make_user

    stranger = make_user("baocao.c", "unit_reporter", staff.directive_clerk.jurisdiction)
    services.membership_add(
        by=None, user=stranger, unit=confirmed.tasks.get(ref="1").assignments.get(role="lead").unit
    )
    _login(client, stranger)
    assert client.get(reverse("directives:attachment", args=[attachment.pk])).status_code == 404


def test_reporters_cannot_reach_clerk_or_overview_pages(client, confirmed, reporters):
    _login(client, reporters["a"])
    own = _task_of(confirmed, reporters["unit_a"])
    for url in (
        reverse("directives:overview"),
        reverse("directives:import"),
        reverse("directives:document", args=[confirmed.pk]),
        reverse("directives:export_all"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("directives:task_review", args=[own.pk])).status_code == 403


def test_the_committee_reads_but_cannot_edit(client, staff, confirmed, reporters):
    _login(client, staff.committee_member)
    task = _task_of(confirmed, reporters["unit_a"])
    assert client.get(reverse("directives:overview")).status_code == 200
    assert client.get(reverse("directives:task", args=[task.pk])).status_code == 200
    assert client.get(reverse("directives:import")).status_code == 403
    assert client.post(reverse("directives:document_confirm", args=[1])).status_code == 403
    response = client.post(
        reverse("directives:task_report", args=[task.pk]), {"status": "reported_done"}
    )
    assert response.status_code == 403
    response = client.post(reverse("directives:task_review", args=[task.pk]), {"verdict": "accept"})
    assert response.status_code == 403


def test_other_staff_get_403_and_anonymous_users_go_to_login(client, staff, confirmed):
    url = reverse("directives:overview")
    assert client.get(url)["Location"].startswith("/login/")
    _login(client, staff.commune_worker_a)
    assert client.get(url).status_code == 403
    assert client.get(reverse("directives:mine")).status_code == 403


def test_the_clerk_accepts_or_returns_a_report(client, staff, confirmed, reporters):
    task = _task_of(confirmed, reporters["unit_a"])
    _login(client, reporters["a"])
    client.post(
        reverse("directives:task_report", args=[task.pk]),
        {"status": "reported_done", "text": "Xong."},
    )
    _login(client, staff.directive_clerk)
    member = task.assignments.get(unit=reporters["unit_a"])
    client.post(reverse("directives:task_review", args=[task.pk]), {"verdict": "return"})
    member.refresh_from_db()
    assert member.status == Task.Status.REPORTED_DONE  # a return needs a comment
    client.post(
        reverse("directives:task_review", args=[task.pk]),
        {"verdict": "return", "comment": "Bổ sung số liệu.", "unit": reporters["unit_a"].pk},
    )
    member.refresh_from_db()
    task.refresh_from_db()
    assert member.status == task.status == Task.Status.RETURNED


def test_the_overview_counts_and_its_query_count_is_pinned(
    client, staff, confirmed, reporters, django_assert_max_num_queries, django_assert_num_queries
):
    task = _task_of(confirmed, reporters["unit_a"])
    task.status = Task.Status.ACCEPTED
    task.completed_at = datetime(2022, 3, 18, 9, tzinfo=UTC)  # before 20/03/2022
    task.save()
    _login(client, staff.committee_member)
    # The first view counts (and creates the figures' row, stores the figures and the
    # rendered tables: 25 statements on SQLite), the next ones read them back; neither grows
    # with the number of tasks.
    with django_assert_max_num_queries(26):
        page = client.get(reverse("directives:overview")).content.decode()
    assert 'id="total-tasks">4<' in page and 'id="total-on-time">1<' in page
    assert 'id="total-late">0<' in page and 'id="total-overdue">2<' in page
    with django_assert_max_num_queries(6):
        again = client.get(reverse("directives:overview")).content.decode()
    assert 'id="total-on-time">1<' in again and 'id="total-overdue">2<' in again
    with django_assert_max_num_queries(10):
        client.get(reverse("directives:documents"))
    _login(client, reporters["a"])
    # The reporter's list: session, user, count, page, lead names, the header's unit and
    # the user's units. Its units are a subquery now, not two statements of their own, and
    # the lead names one statement of names (issue 17: 1.35 s -> 0.2 s at 1,786 tasks).
    with django_assert_num_queries(7):
        listing = client.get(reverse("directives:mine")).content.decode()
    assert listing.count('href="/directives/tasks/') >= 1


def test_it_exports_follow_up_in_the_office_layout(client, staff, confirmed, reporters):
    _login(client, staff.committee_member)
    response = client.get(reverse("directives:export_document", args=[confirmed.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "STT",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời hạn",
        "Tiến độ/Kết quả",
        "Ghi chú",
    )
    first = rows[1]
    assert first[2] == "Sở Y tế" and first[3] == "Sở Thông tin và Truyền thông"
    assert first[4] == "15/03/2022" and first[6].startswith("Quá hạn")
    overall = download_export(client, reverse("directives:export_all"))
    rows = list(load_workbook(io.BytesIO(overall)).active.iter_rows(values_only=True))
    assert rows[1][0] == "I" and len(rows) == 1 + 1 + 4


def test_it_highlights_overlapping_spans():
    class T:
        def __init__(self, pk, s, e):
            self.pk, self.span_start, self.span_end = pk, s, e

    pieces = highlight("abcdefghij", [T(1, 2, 6), T(2, 4, 8)])
    assert [(p["text"], p["tasks"], p["anchor"]) for p in pieces] == [
        ("ab", [], None),
        ("cd", [1], 1),
        ("ef", [1, 2], 2),
        ("gh", [2], None),
        ("ij", [], None),
    ]


@pytest.mark.parametrize("name", ["directives:units", "directives:import", "directives:documents"])
def test_clerk_pages_render(client, staff, directory, name):
    _login(client, staff.directive_clerk)
    assert client.get(reverse(name)).status_code == 200


def test_the_review_screen_marks_groups_general_calls_and_unknown_names(
    client, staff, directory, small_text, django_assert_max_num_queries
):
    from phongdich.directives import services

    document = services.document_import(by=staff.directive_clerk, text=small_text)
    _login(client, staff.directive_clerk)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("directives:document", args=[document.pk])).content.decode()
    assert "UBND các huyện, thị xã, thành phố → 2 đơn vị" in page
    assert 'class="badge danger"' in page  # Ban Quản lý các khu công nghiệp tỉnh


def test_the_home_page_shows_each_role_its_panel(client, staff, confirmed, reporters):
    _login(client, reporters["a"])
    page = client.get(reverse("home")).content.decode()
    assert "Thực hiện kết luận" in page and reverse("directives:mine") in page
    _login(client, staff.committee_member)
    page = client.get(reverse("home")).content.decode()
    assert reverse("directives:overview") in page
    _login(client, staff.commune_worker_a)
    assert "Thực hiện kết luận" not in client.get(reverse("home")).content.decode()


def test_it_imports_a_docx(staff, directory, small_text, tmp_path):
    import docx
    from django.core.files import File

    from phongdich.directives import services

    path = tmp_path / "ket-luan.docx"
    document = docx.Document()
    for line in small_text.splitlines():
        document.add_paragraph(line)
    document.save(path)
    with path.open("rb") as handle:
        imported = services.document_import(
            by=staff.directive_clerk, upload=File(handle, name="ket-luan.docx")
        )
    assert imported.status == Document.Status.DRAFT
    assert imported.number == "99-TB/VPTU"
    assert imported.tasks.count() == 4


def test_it_rejects_other_file_types(client, staff, directory):
    _login(client, staff.directive_clerk)
    upload = SimpleUploadedFile("bang.xlsx", b"PK..")
    response = client.post(reverse("directives:import"), {"file": upload})
    assert response.status_code == 200 and "Chỉ nhận tệp" in response.content.decode()
    assert not Document.objects.exists()


def test_it_imports_a_text_pdf(staff, directory, small_text, tmp_path):
    from django.core.files import File
    from django.utils.html import escape
    from weasyprint import HTML

    from phongdich.directives import services

    body = "".join(f"<p>{escape(line) or '&nbsp;'}</p>" for line in small_text.splitlines())
    path = tmp_path / "ket-luan.pdf"
    HTML(string=f'<body style="font-family: DejaVu Sans">{body}</body>').write_pdf(path)
    with path.open("rb") as handle:
        imported = services.document_import(
            by=staff.directive_clerk, upload=File(handle, name="ket-luan.pdf")
        )
    assert imported.status == Document.Status.DRAFT
    leads = [
        [a.name for a in t.assignments.all() if a.role == "lead"]
        for t in imported.tasks.order_by("position")
    ]
    assert leads[:2] == [["Sở Y tế"], ["UBND các huyện, thị xã, thành phố"]]


def test_the_overview_tells_on_time_from_late_by_the_local_date(staff, confirmed, reporters):
    from zoneinfo import ZoneInfo

    from phongdich.directives import overview

    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    from phongdich.directives import services

    task = _task_of(confirmed, reporters["unit_a"])  # deadline 20/03/2022, two districts
    members = {m.unit_id: m for m in task.assignments.filter(role="lead")}
    on_time, late = members[reporters["unit_a"].pk], members[reporters["unit_b"].pk]
    # 23:30 on the deadline day in Hà Nội is 16:30 UTC: still on time.
    on_time.status, on_time.completed_at = "accepted", datetime(2022, 3, 20, 23, 30, tzinfo=hanoi)
    late.status, late.completed_at = "reported_done", datetime(2022, 3, 21, 0, 30, tzinfo=hanoi)
    on_time.save()
    late.save()
    services.task_status_refresh(task)  # done when its last member was: late
    result = overview.overview().overview
    assert (result.total.total, result.total.on_time, result.total.late) == (4, 0, 1)
    assert (result.total.open, result.total.overdue) == (3, 2)
    units = dict((str(name), tally) for name, tally in result.units)
    assert units["UBND Thành phố Thanh Hóa"].on_time == 1
    assert units["UBND Thị xã Bỉm Sơn"].late == 1
    assert units["(chưa có đơn vị chủ trì)"].total == 1  # "Ban Quản lý …", not in the directory
    assert [row.deadline for row in result.overdue] == sorted(r.deadline for r in result.overdue)


def test_accepted_tasks_move_to_the_reporters_finished_tab(client, staff, confirmed, reporters):
    task = _task_of(confirmed, reporters["unit_a"])
    # The clerk accepted Thành phố's share of the group task (Bỉm Sơn's is still open).
    task.assignments.filter(unit=reporters["unit_a"]).update(status=Task.Status.ACCEPTED)
    _login(client, reporters["a"])
    link = reverse("directives:task", args=[task.pk])
    assert link not in client.get(reverse("directives:mine")).content.decode()
    assert link in client.get(reverse("directives:mine") + "?show=finished").content.decode()


def test_the_clerk_assigns_a_unitless_task_from_its_page(client, staff, confirmed, directory):
    task = confirmed.tasks.get(is_draft=False, ref="3")
    url = reverse("directives:task_assign", args=[task.pk])
    _login(client, staff.committee_member)
    assert client.post(url, {"unit": directory["Sở Công Thương"].pk}).status_code == 403
    _login(client, staff.directive_clerk)
    page = client.get(reverse("directives:task", args=[task.pk])).content.decode()
    assert url in page
    client.post(url, {"unit": directory["Sở Công Thương"].pk})
    assert task.assignments.get(role="lead").unit == directory["Sở Công Thương"]


def test_the_clerk_adds_an_official_whose_office_reports(client, staff, directory):
    from phongdich.directives import directory as d

    _login(client, staff.directive_clerk)
    client.post(
        reverse("directives:official_add"),
        {"name": "Mai Hùng Dũng", "title": "Phó Chủ tịch UBND tỉnh",
         "org": directory["Văn phòng UBND tỉnh"].pk, "aliases": "đồng chí Dũng"},
    )  # fmt: skip
    assert d.resolve("đồng chí Mai Hùng Dũng").units == [directory["Văn phòng UBND tỉnh"]]
    assert "Mai Hùng Dũng" in client.get(reverse("directives:units")).content.decode()


def test_the_overview_shows_the_newest_documents_and_says_how_many_there_are(
    client, staff, confirmed, small_text, monkeypatch, django_assert_max_num_queries
):
    from phongdich.directives import overview, services

    newer = services.document_import(by=staff.directive_clerk, text=small_text)
    services.document_confirm(by=staff.directive_clerk, document=newer)
    _login(client, staff.committee_member)
    both = client.get(reverse("directives:overview")).content.decode()
    assert reverse("directives:document", args=[confirmed.pk]) in both
    assert "văn bản mới nhất trong" not in both  # nothing left out, nothing said
    monkeypatch.setattr(overview, "DOCUMENTS_SHOWN", 1)
    overview.figures_changed()  # the stored figures were counted with 50 shown
    # The same queries whether one document or every one is shown: on the first view after
    # a change, the counting statements, storing the figures and caching the rendered tables.
    with django_assert_max_num_queries(22):
        page = client.get(reverse("directives:overview")).content.decode()
    assert reverse("directives:document", args=[newer.pk]) in page
    assert reverse("directives:document", args=[confirmed.pk]) not in page
    assert "1 văn bản mới nhất trong 2" in page
    # The totals still count every document's tasks.
    result = overview.overview().overview
    assert result.total.total == sum(t.total for _d, t in [*result.documents]) * 2
