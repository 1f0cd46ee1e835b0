"""Follow-up of confirmed tasks: lead units, progress reports, review and reminders."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.urls import absolute_url

from .. import rules
from ..models import (
    OrgUnit,
    ProgressReport,
    ReminderSent,
    ReportAttachment,
    ReviewAction,
    Task,
    TaskAssignment,
)
from ..overview import figures_changed
from .documents import MAX_UPLOAD_BYTES


@transaction.atomic
def task_assign_lead(*, by, task: Task, unit: OrgUnit) -> Task:
    """Give a confirmed task that no unit leads (a general call, a name nobody resolved) to a
    unit, so it reaches that unit's reporters."""
    if task.is_draft:
        raise ValidationError(_("Nhiệm vụ chưa được xác nhận."))
    if task.assignments.filter(role=TaskAssignment.Role.LEAD, unit__isnull=False).exists():
        raise ValidationError(_("Nhiệm vụ đã có đơn vị chủ trì."))
    task.assignments.filter(role=TaskAssignment.Role.LEAD).delete()
    TaskAssignment.objects.create(
        task=task, role=TaskAssignment.Role.LEAD, name=unit.name, unit=unit
    )
    audit_record(actor=by, action="directives.task_assign", target=task, changes={"unit": unit.pk})
    figures_changed()
    return task


REPORTABLE = (Task.Status.IN_PROGRESS, Task.Status.REPORTED_DONE)


def _member(task: Task, unit: OrgUnit) -> TaskAssignment:
    member = (
        TaskAssignment.objects.select_for_update()
        .filter(task=task, unit=unit)
        .order_by("role", "pk")  # "coordinating" < "lead": prefer the lead row
        .last()
    )
    if member is None:
        raise ValidationError(_("Đơn vị không được giao nhiệm vụ này."))
    return member


def task_status_refresh(task: Task) -> None:
    """Set the task's status (and when it was done) from its lead members' (the caller holds
    the task's row lock)."""
    leads = list(
        task.assignments.filter(role=TaskAssignment.Role.LEAD, unit__isnull=False).values_list(
            "status", "completed_at"
        )
    )
    status = rules.task_status_of([s for s, _at in leads])
    if status is None:
        return
    task.status = status
    done = [at for s, at in leads if s in Task.DONE_STATUSES and at is not None]
    task.completed_at = max(done) if status in Task.DONE_STATUSES and done else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    figures_changed()


@idempotency.submitted_once(ProgressReport)
@transaction.atomic
def task_report(
    *,
    by,
    task: Task,
    unit: OrgUnit,
    status: str,
    text: str,
    files=(),
    submission: idempotency.Submission | None = None,
) -> ProgressReport:
    """A member unit reports its part of a task (the caller has checked the reporter is
    linked to `unit`). A lead member's report moves its own status, and the task's once
    every lead member agrees; a coordinating unit's report is recorded on its own row and
    never closes the task. A recurring task's report covers the current period only: the
    member reports again next period. The same submission sent twice is one report, with
    its attachments stored once."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_draft or task.status == Task.Status.ACCEPTED:
        raise ValidationError(_("Nhiệm vụ đã hoàn thành, không báo cáo thêm được."))
    if status not in REPORTABLE:
        raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
    if status == Task.Status.REPORTED_DONE and not text.strip():
        raise ValidationError({"text": _("Hãy nêu kết quả khi báo cáo hoàn thành.")})
    member = _member(task, unit)
    if member.status == Task.Status.ACCEPTED:
        raise ValidationError(_("Phần việc của đơn vị đã được duyệt hoàn thành."))
    now = timezone.now()
    report = ProgressReport.objects.create(
        task=task,
        unit=unit,
        status=status,
        text=text.strip(),
        by=by,
        at=now,
        period=rules.period_start(task.recurrence, timezone.localdate(now)),
        **idempotency.fields(submission),
    )
    for upload in files:
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("Tệp đính kèm quá lớn (tối đa 10 MB)."))
        ReportAttachment.objects.create(report=report, file=upload, name=upload.name[:200])
    # A recurring task is never closed by a report: "done" is done for this period.
    member.status = Task.Status.IN_PROGRESS if task.recurrence else status
    member.completed_at = now if member.status == Task.Status.REPORTED_DONE else None
    member.reported_at = now
    member.save(update_fields=["status", "completed_at", "reported_at"])
    if member.role == TaskAssignment.Role.LEAD:
        task_status_refresh(task)
    audit_record(
        actor=by,
        action="directives.task_report",
        target=task,
        changes={"status": status, "unit": unit.pk, "period": str(report.period or "")},
    )
    figures_changed()  # a member's status, a recurring task's period reported
    return report


@transaction.atomic
def task_review(
    *, by, task: Task, accept: bool, comment: str = "", unit: OrgUnit | None = None
) -> ReviewAction:
    """The clerk accepts or returns a member's report of done (`unit`; by default every
    lead member that reported done)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    members = TaskAssignment.objects.select_for_update().filter(
        task=task, role=TaskAssignment.Role.LEAD, status=Task.Status.REPORTED_DONE
    )
    if unit is not None:
        members = members.filter(unit=unit)
    members = list(members)
    if not members:
        raise ValidationError(_("Chỉ duyệt được nhiệm vụ đơn vị đã báo cáo hoàn thành."))
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Hãy ghi lý do trả lại.")})
    verdict = ReviewAction.Verdict.ACCEPT if accept else ReviewAction.Verdict.RETURN
    action = None
    for member in members:
        action = ReviewAction.objects.create(
            task=task, unit=member.unit, verdict=verdict, comment=comment.strip(), by=by
        )
        if accept:
            member.status = Task.Status.ACCEPTED
        else:
            member.status, member.completed_at = Task.Status.RETURNED, None
        member.save(update_fields=["status", "completed_at"])
    task_status_refresh(task)
    audit_record(
        actor=by,
        action=f"directives.task_{verdict}",
        target=task,
        changes={"units": [m.unit_id for m in members]},
    )
    figures_changed()
    return action


def reminder_days() -> int:
    return int(getattr(settings, "DIRECTIVES_REMINDER_DAYS", 3))


def reminders_send(*, today: date | None = None) -> dict:
    """Email each lead unit's reporters N days before a deadline and once it has passed.

    Each (task, kind) is claimed by inserting its ReminderSent row first; the unique
    constraint makes a second run (or a concurrent worker) skip it, and a failed send rolls
    the claim back so the next run tries again. Tasks whose unit has no reporter with an
    email are left unclaimed: a reporter linked later still gets the reminder.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=reminder_days())
    open_tasks = (
        Task.objects.filter(is_draft=False, deadline__isnull=False)
        .exclude(status__in=Task.DONE_STATUSES)
        .filter(deadline__lte=horizon)
        .select_related("document")
        .prefetch_related("assignments__unit__memberships__user")
    )
    sent = {"before": 0, "overdue": 0, "skipped": 0}
    for task in open_tasks:
        kind = ReminderSent.Kind.OVERDUE if task.deadline < today else ReminderSent.Kind.BEFORE
        emails = sorted(
            {
                m.user.email
                for a in task.assignments.all()
                # a group member that already reported done is not reminded
                if a.role == TaskAssignment.Role.LEAD
                and a.unit_id
                and a.status not in Task.DONE_STATUSES
                for m in a.unit.memberships.all()
                if m.user.email and m.user.is_active
            }
        )
        if not emails:
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(task=task, kind=kind, recipients=len(emails))
                _send_reminder(task, kind, emails)
        except IntegrityError:
            sent["skipped"] += 1
            continue
        sent[kind] += 1
    return sent


def _send_reminder(task: Task, kind: str, emails: list[str]) -> None:
    deadline = task.deadline.strftime("%d/%m/%Y")
    if kind == ReminderSent.Kind.OVERDUE:
        subject = _("[Quá hạn] Nhiệm vụ %(ref)s, hạn %(deadline)s")
    else:
        subject = _("[Sắp đến hạn] Nhiệm vụ %(ref)s, hạn %(deadline)s")
    subject = subject % {"ref": task.ref or task.pk, "deadline": deadline}
    body = "\n\n".join(
        [
            str(task.document),
            task.text[:1500],
            _("Thời hạn: %(deadline)s") % {"deadline": deadline},
            absolute_url(reverse("directives:task", args=[task.pk])),
        ]
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)


def check_reporter_owns(user, task: Task) -> OrgUnit:
    """The unit through which `user` reports on `task`: one it leads, else one it coordinates
    (coordinating units report their part); PermissionDenied otherwise."""
    units = set(user.directive_memberships.values_list("unit_id", flat=True))
    mine = [a for a in task.assignments.all() if a.unit_id in units]
    mine.sort(key=lambda a: (a.role != TaskAssignment.Role.LEAD, a.pk))
    if not mine:
        raise PermissionDenied
    return mine[0].unit
