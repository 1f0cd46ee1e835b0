"""A document import sent twice (a double click on a slow upload, a browser retry) is one
document, read once. The racing test runs real threads on PostgreSQL (in turn on SQLite,
see phongdich/testing.py)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from phongdich.directives.models import Document
from phongdich.testing import make_staff, make_world, race, winners

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
TEXT = (
    "KẾT LUẬN số 12-KL/BCĐ ngày 01/08/2021\n"
    "1. Giao Sở Y tế chủ trì tổ chức xét nghiệm diện rộng, hoàn thành trước ngày 15/08/2021.\n"
)


def _key(page) -> str:
    found = KEY.search(page.content.decode())
    assert found, "the form carries no submission key"
    return found.group(1)


def test_a_double_submitted_upload_is_one_document(client, staff):
    client.force_login(staff.directive_clerk)
    key = _key(client.get(reverse("directives:import")))
    answers = []
    for _ in range(2):
        upload = SimpleUploadedFile("kl12.txt", TEXT.encode(), content_type="text/plain")
        answers.append(
            client.post(reverse("directives:import"), {"submission_key": key, "file": upload})
        )
    document = Document.objects.get()
    assert [a.status_code for a in answers] == [302, 302]
    assert {a["Location"] for a in answers} == {reverse("directives:document", args=[document.pk])}


def test_a_double_submitted_pasted_text_is_one_document(client, staff):
    client.force_login(staff.directive_clerk)
    data = {"submission_key": "paste-key-00001", "text": TEXT}
    for _ in range(2):
        client.post(reverse("directives:import"), data)
    assert Document.objects.count() == 1


def test_an_import_key_reused_for_another_text_is_refused_and_a_new_key_offered(client, staff):
    client.force_login(staff.directive_clerk)
    data = {"submission_key": "paste-key-00002", "text": TEXT}
    client.post(reverse("directives:import"), data)
    page = client.post(reverse("directives:import"), data | {"text": TEXT + "2. Giao Công an.\n"})
    assert page.status_code == 200
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert _key(page) != "paste-key-00002"
    assert Document.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_imports_with_one_key_store_one_document(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    staff = make_staff(world)
    data = {"submission_key": "d" * 24, "text": TEXT}

    def post():
        client = Client()
        client.force_login(staff.directive_clerk)
        return client.post(reverse("directives:import"), data)

    responses = winners(race([post for _ in range(4)]))
    assert [r.status_code for r in responses] == [302] * 4
    assert len({r["Location"] for r in responses}) == 1
    assert Document.objects.count() == 1


def _reported_task(confirmed, reporters):
    return confirmed.tasks.get(is_draft=False, ref="2", assignments__unit=reporters["unit_a"])


def test_a_double_submitted_progress_report_is_one_report(client, confirmed, reporters):
    from phongdich.directives.models import ReportAttachment

    task = _reported_task(confirmed, reporters)
    client.force_login(reporters["a"])
    page = client.get(reverse("directives:task", args=[task.pk]))
    key = _key(page)
    for _ in range(2):
        upload = SimpleUploadedFile("ds.txt", b"danh sach", content_type="text/plain")
        client.post(
            reverse("directives:task_report", args=[task.pk]),
            {
                "submission_key": key,
                "status": "in_progress",
                "text": "Đang lập danh sách",
                "attachments": upload,
            },
        )
    assert task.reports.count() == 1
    assert ReportAttachment.objects.filter(report__task=task).count() == 1
    again = client.get(reverse("directives:task", args=[task.pk]))
    assert _key(again) != key


def test_a_report_key_reused_for_another_report_is_refused(client, confirmed, reporters):
    task = _reported_task(confirmed, reporters)
    client.force_login(reporters["a"])
    url = reverse("directives:task_report", args=[task.pk])
    data = {"submission_key": "report-key-0001", "status": "in_progress", "text": "Đang làm"}
    client.post(url, data)
    page = client.post(url, data | {"text": "Đã xong một nửa"}, follow=True)
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert _key(page) != "report-key-0001"
    assert list(task.reports.values_list("text", flat=True)) == ["Đang làm"]


def test_a_double_submitted_official_is_added_once(client, staff, directory):
    from phongdich.directives.models import Official

    client.force_login(staff.directive_clerk)
    key = _key(client.get(reverse("directives:units")))
    data = {
        "submission_key": key,
        "name": "Mai Hùng Dũng",
        "title": "Phó Chủ tịch UBND tỉnh",
        "org": directory["Văn phòng UBND tỉnh"].pk,
    }
    for _ in range(2):
        client.post(reverse("directives:official_add"), data)
    assert Official.objects.filter(name="Mai Hùng Dũng").count() == 1
    page = client.post(
        reverse("directives:official_add"), data | {"name": "Lê Đức Giang"}, follow=True
    )
    assert "đã được gửi trước đó với nội dung khác" in page.content.decode()
    assert not Official.objects.filter(name="Lê Đức Giang").exists()


@pytest.mark.django_db(transaction=True)
def test_racing_clerks_accept_a_proposed_unit_once():
    from django.core.exceptions import ValidationError

    from phongdich.directives import services
    from phongdich.directives.models import OrgUnit, UnitProposal

    world = make_world()
    staff = make_staff(world)
    proposal = UnitProposal.objects.create(
        name="Ban Quản lý các khu công nghiệp tỉnh", key="ban quan ly cac khu cong nghiep tinh"
    )

    def accept():
        # Each clerk's page loaded the proposal while it was still pending.
        return services.proposal_accept(
            by=staff.directive_clerk,
            proposal=UnitProposal.objects.get(pk=proposal.pk),
            name=proposal.name,
            kind="other",
        )

    outcomes = race([accept for _ in range(3)])
    assert len(winners(outcomes)) == 1
    assert all(isinstance(exc, ValidationError) for kind, exc in outcomes if kind == "error")
    assert OrgUnit.objects.filter(name=proposal.name).count() == 1
