"""Fold the per-unit copies confirmation used to make (one task per lead unit, all pointing
at the same draft item through `origin`) into one task with a member per unit.

Nothing is lost: the kept task (the first copy) gains every copy's lead unit as a member,
with that copy's status and completion time; reports and reviews move to it with their unit;
reminders and campaign links move when the kept task has none of that kind. Every task's
lead members start from its own status, and item numbers are read from the document text.
"""

import re

from django.db import migrations
from django.db.models import Count

LABEL = re.compile(
    r"\s*(?P<label>(?:Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười) là"
    r"|(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])\s?[.)/:-]|\(\s?(?:\d+|[a-zđ])\s?\))"
)


def _label(text, start):
    # A frozen copy of rules.label_as_written at the time of this migration.
    if start is None or not text:
        return ""
    line_start = text.rfind("\n", 0, start) + 1
    match = LABEL.match(text[line_start : start + 40])
    if match is None or line_start + match.start("label") > start:
        return ""
    return match.group("label").strip()[:40]


def fold(apps, schema_editor):
    Task = apps.get_model("directives", "Task")
    TaskAssignment = apps.get_model("directives", "TaskAssignment")
    ProgressReport = apps.get_model("directives", "ProgressReport")
    ReviewAction = apps.get_model("directives", "ReviewAction")
    ReminderSent = apps.get_model("directives", "ReminderSent")
    try:
        CampaignTaskLink = apps.get_model("vaccination", "CampaignTaskLink")
    except LookupError:
        CampaignTaskLink = None
    lead = "lead"
    # Members start with their task's own status.
    for task in Task.objects.filter(is_draft=False).iterator():
        TaskAssignment.objects.filter(task=task, role=lead).update(
            status=task.status, completed_at=task.completed_at
        )
    origins = (
        Task.objects.filter(is_draft=False, origin__isnull=False)
        .values("origin_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for row in origins:
        copies = list(Task.objects.filter(is_draft=False, origin_id=row["origin_id"]).order_by("pk"))
        keeper, others = copies[0], copies[1:]
        group = TaskAssignment.objects.filter(task_id=keeper.origin_id, role=lead, is_group=True)
        group_name = group.values_list("name", flat=True).first() or ""
        TaskAssignment.objects.filter(task=keeper, role=lead, is_group=True).update(
            group_name=group_name, is_group=False
        )
        kept_units = set(
            TaskAssignment.objects.filter(task=keeper).values_list("unit_id", "role")
        )
        for other in others:
            leads = TaskAssignment.objects.filter(task=other, role=lead)
            lead_unit = leads.values_list("unit_id", flat=True).first()
            for a in leads:
                if (a.unit_id, lead) in kept_units and a.unit_id is not None:
                    continue
                a.task_id = keeper.pk
                a.group_name = group_name if a.is_group else a.group_name
                a.is_group = False
                a.save()
                kept_units.add((a.unit_id, lead))
            ProgressReport.objects.filter(task=other, unit__isnull=True).update(unit_id=lead_unit)
            ProgressReport.objects.filter(task=other).update(task_id=keeper.pk)
            ReviewAction.objects.filter(task=other, unit__isnull=True).update(unit_id=lead_unit)
            ReviewAction.objects.filter(task=other).update(task_id=keeper.pk)
            for reminder in ReminderSent.objects.filter(task=other):
                if not ReminderSent.objects.filter(task=keeper, kind=reminder.kind).exists():
                    reminder.task_id = keeper.pk
                    reminder.save()
            if CampaignTaskLink is not None:
                if not CampaignTaskLink.objects.filter(task=keeper).exists():
                    CampaignTaskLink.objects.filter(task=other).update(task_id=keeper.pk)
        # The keeper's own reviews name its own unit.
        keeper_unit = (
            TaskAssignment.objects.filter(task=keeper, role=lead)
            .order_by("pk")
            .values_list("unit_id", flat=True)
            .first()
        )
        ReviewAction.objects.filter(task=keeper, unit__isnull=True).update(unit_id=keeper_unit)
        Task.objects.filter(pk__in=[o.pk for o in others]).delete()
        statuses = list(
            TaskAssignment.objects.filter(task=keeper, role=lead, unit__isnull=False).values_list(
                "status", "completed_at"
            )
        )
        keeper.status = _status_of([s for s, _at in statuses]) or keeper.status
        done = [at for s, at in statuses if s in ("reported_done", "accepted") and at]
        keeper.completed_at = max(done) if keeper.status in ("reported_done", "accepted") and done else None
        keeper.save(update_fields=["status", "completed_at"])
    for task in Task.objects.filter(label="").select_related("document").iterator():
        label = _label(task.document.text, task.span_start)
        if label:
            Task.objects.filter(pk=task.pk).update(label=label)


def _status_of(members):
    # A frozen copy of rules.task_status_of.
    if not members:
        return None
    if all(s == "accepted" for s in members):
        return "accepted"
    if all(s in ("reported_done", "accepted") for s in members):
        return "reported_done"
    if "returned" in members:
        return "returned"
    if any(s != "open" for s in members):
        return "in_progress"
    return "open"


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0004_members_recurrence_labels_indicators"),
        ("vaccination", "0006_risk_groups_denominators_campaigns"),
    ]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop)]
