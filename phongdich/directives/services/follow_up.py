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

from ..models import (
    OrgUnit,
    ProgressReport,
    ReminderSent,
    ReportAttachment,
    ReviewAction,
    Task,
    TaskAssignment,
)
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
    return task


REPORTABLE = (Task.Status.IN_PROGRESS, Task.Status.REPORTED_DONE)


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
    """A unit reports progress on its own task (the caller has checked the unit is a lead).
    The same submission sent twice is one report, with its attachments stored once."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_draft or task.status == Task.Status.ACCEPTED:
        raise ValidationError(_("Nhiệm vụ đã hoàn thành, không báo cáo thêm được."))
    if status not in REPORTABLE:
        raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
    if status == Task.Status.REPORTED_DONE and not text.strip():
        raise ValidationError({"text": _("Hãy nêu kết quả khi báo cáo hoàn thành.")})
    report = ProgressReport.objects.create(
        task=task,
        unit=unit,
        status=status,
        text=text.strip(),
        by=by,
        **idempotency.fields(submission),
    )
    for upload in files:
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("Tệp đính kèm quá lớn (tối đa 10 MB)."))
        ReportAttachment.objects.create(report=report, file=upload, name=upload.name[:200])
    task.status = status
    task.completed_at = report.at if status == Task.Status.REPORTED_DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(actor=by, action="directives.task_report", target=task, changes={"status": status})
    return report


@transaction.atomic
def task_review(*, by, task: Task, accept: bool, comment: str = "") -> ReviewAction:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != Task.Status.REPORTED_DONE:
        raise ValidationError(_("Chỉ duyệt được nhiệm vụ đơn vị đã báo cáo hoàn thành."))
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Hãy ghi lý do trả lại.")})
    verdict = ReviewAction.Verdict.ACCEPT if accept else ReviewAction.Verdict.RETURN
    action = ReviewAction.objects.create(task=task, verdict=verdict, comment=comment.strip(), by=by)
    if accept:
        task.status = Task.Status.ACCEPTED
    else:
        task.status, task.completed_at = Task.Status.RETURNED, None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(actor=by, action=f"directives.task_{verdict}", target=task)
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
                if a.role == TaskAssignment.Role.LEAD and a.unit_id
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
    """The unit through which `user` leads `task`; PermissionDenied otherwise."""
    units = set(user.directive_memberships.values_list("unit_id", flat=True))
    for a in task.assignments.all():
        if a.role == TaskAssignment.Role.LEAD and a.unit_id in units:
            return a.unit
    raise PermissionDenied
