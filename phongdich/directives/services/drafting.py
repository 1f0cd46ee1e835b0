"""Editing a draft document's tasks before confirmation: fields, split, merge, delete."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from ..models import (
    Task,
    TaskAssignment,
    unit_key,
)
from .documents import _assign, _require_draft


def _parse_names(value: str) -> list[str]:
    return [n.strip() for n in re.split(r"[;\n]", value or "") if n.strip()]


@transaction.atomic
def task_update(
    *,
    by,
    task: Task,
    text: str,
    deadline: date | None,
    deadline_text: str = "",
    lead_units=(),
    coordinating_units=(),
    lead_names: str = "",
    coordinating_names: str = "",
) -> Task:
    """The clerk's correction of a draft task. Units chosen from the directory replace the
    extracted ones; names typed in are resolved like extracted names (unknown → proposal)."""
    _require_draft(task)
    if not text.strip():
        raise ValidationError({"text": _("Nội dung nhiệm vụ không được trống.")})
    changes = {}
    if task.text != text.strip():
        changes["text"] = True
        task.text = text.strip()
        task.summary = task.text[:200] + ("…" if len(task.text) > 200 else "")
    if task.deadline != deadline or task.deadline_text != deadline_text:
        changes["deadline"] = [str(task.deadline), str(deadline)]
        task.deadline, task.deadline_text = deadline, deadline_text[:200]
    task.save()
    cache: dict = {}
    for role, units, names in (
        (TaskAssignment.Role.LEAD, lead_units, lead_names),
        (TaskAssignment.Role.COORDINATING, coordinating_units, coordinating_names),
    ):
        before = sorted(str(a) for a in task.assignments.filter(role=role))
        task.assignments.filter(role=role).delete()
        for unit in units:
            TaskAssignment.objects.create(task=task, role=role, name=unit.name, unit=unit)
        chosen = {unit_key(u.name) for u in units}
        for name in _parse_names(names):
            if unit_key(name) not in chosen:
                _assign(task.document, task, role, name, cache)
        after = sorted(str(a) for a in task.assignments.filter(role=role))
        if before != after:
            changes[role] = after
    if changes:
        audit_record(actor=by, action="directives.task_update", target=task, changes=changes)
    return task


def sentence_breaks(text: str) -> list[int]:
    """Offsets after each sentence (or bullet) where a task's text may be split."""
    breaks = [m.end() for m in re.finditer(r"[.;:]\s+(?=\S)|\n+(?=\S)", text)]
    return [b for b in breaks if 0 < b < len(text.rstrip())]


@transaction.atomic
def task_split(*, by, task: Task, at: int) -> Task:
    """Cut a draft task in two at offset `at` of its text; both keep its units and deadline."""
    _require_draft(task)
    if not 0 < at < len(task.text):
        raise ValidationError(_("Vị trí tách không hợp lệ."))
    first, second = task.text[:at].strip(), task.text[at:].strip()
    if not first or not second:
        raise ValidationError(_("Vị trí tách không hợp lệ."))
    Task.objects.filter(document=task.document, position__gt=task.position).update(
        position=F("position") + 10
    )
    new = Task.objects.create(
        document=task.document,
        position=task.position + 5,
        ref=(task.ref + "#t")[:40],
        summary=second[:200],
        text=second,
        span_start=_shift(task, at),
        span_end=task.span_end,
        deadline=task.deadline,
        deadline_text=task.deadline_text,
    )
    TaskAssignment.objects.bulk_create(
        [
            TaskAssignment(
                task=new,
                role=a.role,
                name=a.name,
                is_group=a.is_group,
                unit=a.unit,
                official=a.official,
                proposal=a.proposal,
            )
            for a in task.assignments.all()
        ]
    )
    task.text, task.summary = first, first[:200]
    if task.span_start is not None:
        task.span_end = _shift(task, at)
    task.save()
    audit_record(actor=by, action="directives.task_split", target=task, changes={"new": new.pk})
    return new


def _shift(task: Task, at: int) -> int | None:
    """Offset in the document of offset `at` in the task text (text is the span, stripped)."""
    if task.span_start is None:
        return None
    document_text = task.document.text
    found = document_text.find(task.text[:40], task.span_start, task.span_end or None)
    base = found if found >= 0 else task.span_start
    return min(base + at, task.span_end or base + at)


@transaction.atomic
def task_merge(*, by, task: Task, other: Task) -> Task:
    """Append `other` (another draft task of the same document) to `task` and delete it."""
    _require_draft(task)
    if other.document_id != task.document_id or other.pk == task.pk:
        raise ValidationError(_("Chỉ gộp được hai nhiệm vụ của cùng văn bản."))
    task.text = f"{task.text}\n{other.text}"
    task.summary = task.summary or task.text[:200]
    spans = [s for s in (task.span_start, other.span_start) if s is not None]
    ends = [e for e in (task.span_end, other.span_end) if e is not None]
    task.span_start = min(spans) if spans else None
    task.span_end = max(ends) if ends else None
    deadlines = [d for d in (task.deadline, other.deadline) if d]
    if deadlines and min(deadlines) != task.deadline:
        task.deadline = min(deadlines)
        task.deadline_text = other.deadline_text
    task.save()
    have = {(a.role, a.unit_id, a.name) for a in task.assignments.all()}
    for a in other.assignments.all():
        if (a.role, a.unit_id, a.name) not in have:
            a.pk, a.task = None, task
            a.save()
    audit_record(
        actor=by, action="directives.task_merge", target=task, changes={"merged": other.pk}
    )
    other.delete()
    return task


@transaction.atomic
def task_delete(*, by, task: Task) -> None:
    _require_draft(task)
    audit_record(actor=by, action="directives.task_delete", target=task, changes={"ref": task.ref})
    task.delete()
