from datetime import date

import pytest
from django.core.exceptions import ValidationError

from phongdich.directives import services
from phongdich.directives.models import Document, Task, TaskAssignment


def _leads(task):
    return sorted(
        a.unit.name for a in task.assignments.all() if a.role == "lead" and a.unit_id is not None
    )


def test_it_imports_a_conclusion_as_a_reviewable_draft(staff, directory, small_upload):
    document = services.document_import(by=staff.directive_clerk, upload=small_upload)
    assert document.status == Document.Status.DRAFT
    assert document.meeting_date == date(2022, 3, 1)
    assert document.text.startswith("TỈNH ỦY THANH HÓA")
    tasks = list(document.tasks.order_by("position"))
    assert [t.ref for t in tasks] == ["1", "2", "3", "follow_up"]
    first = tasks[0]
    assert document.text[first.span_start : first.span_end].strip() == first.text
    assert first.deadline == date(2022, 3, 15)
    assert first.deadline_text == "trước ngày 15/3/2022"
    assert _leads(first) == ["Sở Y tế"]
    coordinating = first.assignments.get(role=TaskAssignment.Role.COORDINATING)
    assert coordinating.unit == directory["Sở Thông tin và Truyền thông"]


def test_a_group_task_stays_one_task_with_a_member_per_district(staff, directory, small_text):
    document = services.document_import(by=staff.directive_clerk, text=small_text)
    created = services.document_confirm(by=staff.directive_clerk, document=document)
    confirmed = Task.objects.filter(document=document, is_draft=False)
    assert created == confirmed.count() == 4  # item 2 is one task for two districts
    item_two = confirmed.get(ref="2")
    assert _leads(item_two) == ["UBND Thành phố Thanh Hóa", "UBND Thị xã Bỉm Sơn"]
    members = item_two.assignments.filter(role="lead")
    assert {m.group_name for m in members} != {""}  # the group as the document writes it
    assert {m.status for m in members} == {"open"}
    assert item_two.deadline == date(2022, 3, 20)
    document.refresh_from_db()
    assert document.status == Document.Status.CONFIRMED


def test_it_refuses_edits_after_confirmation(staff, confirmed):
    task = confirmed.tasks.filter(is_draft=False).first()
    with pytest.raises(ValidationError):
        services.task_delete(by=staff.directive_clerk, task=task)


def test_the_clerk_corrects_splits_merges_and_deletes(staff, directory, small_text):
    clerk = staff.directive_clerk
    document = services.document_import(by=clerk, text=small_text)
    one, two, three, follow = document.tasks.order_by("position")
    services.task_update(
        by=clerk,
        task=three,
        text=three.text,
        deadline=date(2022, 3, 25),
        deadline_text="trước ngày 25/3/2022",
        lead_units=[directory["Sở Công Thương"]],
        coordinating_names="Công an tỉnh; Ban Quản lý các khu công nghiệp tỉnh",
    )
    three.refresh_from_db()
    assert three.deadline == date(2022, 3, 25)
    assert _leads(three) == ["Sở Công Thương"]
    coordinating = {a.name: a.unit for a in three.assignments.filter(role="coordinating")}
    assert coordinating["Công an tỉnh"] == directory["Công an tỉnh"]
    assert coordinating["Ban Quản lý các khu công nghiệp tỉnh"] is None

    at = services.sentence_breaks(one.text + " Báo cáo kết quả.")[0]
    one.text += " Báo cáo kết quả."
    one.save()
    new = services.task_split(by=clerk, task=one, at=at)
    assert new.text == "Báo cáo kết quả." and _leads(new) == ["Sở Y tế"]
    merged = services.task_merge(by=clerk, task=one, other=new)
    assert merged.text.endswith("Báo cáo kết quả.")
    assert not Task.objects.filter(pk=new.pk).exists()
    services.task_delete(by=clerk, task=follow)
    assert document.tasks.count() == 3


def test_it_follows_a_task_to_done_and_back(staff, confirmed, reporters):
    clerk = staff.directive_clerk
    task = confirmed.tasks.get(is_draft=False, ref="2")
    unit = services.check_reporter_owns(reporters["a"], task)
    other = services.check_reporter_owns(reporters["b"], task)
    services.task_report(by=reporters["a"], task=task, unit=unit, status="in_progress", text="")
    with pytest.raises(ValidationError):  # done needs a result
        services.task_report(
            by=reporters["a"], task=task, unit=unit, status="reported_done", text=""
        )
    services.task_report(
        by=reporters["a"], task=task, unit=unit, status="reported_done", text="Đã lập danh sách."
    )
    services.task_report(
        by=reporters["b"], task=task, unit=other, status="reported_done", text="Đã lập."
    )
    task.refresh_from_db()
    assert task.status == Task.Status.REPORTED_DONE and task.completed_at
    with pytest.raises(ValidationError):  # a return needs a reason
        services.task_review(by=clerk, task=task, accept=False, unit=unit)
    services.task_review(
        by=clerk, task=task, accept=False, comment="Thiếu danh sách xã.", unit=unit
    )
    task.refresh_from_db()
    assert task.status == Task.Status.RETURNED and task.completed_at is None
    services.task_report(
        by=reporters["a"], task=task, unit=unit, status="reported_done", text="Đủ danh sách."
    )
    services.task_review(by=clerk, task=task, accept=True)  # every member reported done
    task.refresh_from_db()
    assert task.status == Task.Status.ACCEPTED
    assert task.reviews.filter(verdict="accept").count() == 2


def test_it_links_a_reporter_by_their_organisation_text(staff, directory):
    reporter = staff.unit_reporter_a
    reporter.organisation = "Ủy ban nhân dân Thành phố Thanh Hóa"
    membership = services.membership_link_by_organisation(by=None, user=reporter)
    assert membership.unit == directory["UBND Thành phố Thanh Hóa"]


def test_an_unknown_lead_among_known_ones_is_a_member_waiting_on_the_clerk(
    staff, directory, small_text
):
    from phongdich.directives.models import UnitProposal

    clerk = staff.directive_clerk
    document = services.document_import(by=clerk, text=small_text)
    one = document.tasks.order_by("position").first()
    services.task_update(
        by=clerk,
        task=one,
        text=one.text,
        deadline=one.deadline,
        lead_units=[directory["Sở Y tế"]],
        lead_names="Ban Quản lý các khu công nghiệp tỉnh; (chung)",
    )
    services.document_confirm(by=clerk, document=document)
    one.refresh_from_db()
    assert not one.is_draft
    waiting = one.assignments.get(unit__isnull=True, role="lead")
    assert _leads(one) == ["Sở Y tế"]
    proposal = UnitProposal.objects.get(name="Ban Quản lý các khu công nghiệp tỉnh")
    unit = services.proposal_accept(by=clerk, proposal=proposal, name=proposal.name, kind="other")
    waiting.refresh_from_db()
    assert waiting.unit == unit


def test_the_clerk_hands_a_general_task_to_a_unit(staff, confirmed, directory):
    task = confirmed.tasks.get(is_draft=False, ref="3")  # its lead is not in the directory
    assert not task.assignments.filter(role="lead", unit__isnull=False).exists()
    services.task_assign_lead(by=staff.directive_clerk, task=task, unit=directory["Sở Công Thương"])
    assert _leads(task) == ["Sở Công Thương"]
    with pytest.raises(ValidationError):
        services.task_assign_lead(by=staff.directive_clerk, task=task, unit=directory["Sở Y tế"])


def test_an_extractor_crash_keeps_the_upload_and_says_so(staff, directory, small_text, monkeypatch):
    def boom(text):
        raise IndexError("odd layout")

    monkeypatch.setattr(services.documents, "extract_document", boom)
    document = services.document_import(by=staff.directive_clerk, text=small_text)
    assert document.status == Document.Status.FAILED
    assert "quản trị" in document.error and document.source_file
