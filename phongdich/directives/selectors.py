"""Reads on directives. Documents and tasks are not personal data, but a unit reporter sees
only the tasks their own units lead or coordinate: another unit's task is a 404."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from phongdich.accounts.models import Role

from .models import Document, OrgUnit, Task, TaskAssignment, UnitProposal

# Who sees every document and task: the clerk who follows them up, the committee, the admin.
OVERVIEW_ROLES = (Role.DIRECTIVE_CLERK, Role.COMMITTEE_MEMBER, Role.PROVINCE_ADMIN)
CLERK_ROLES = (Role.DIRECTIVE_CLERK,)
REPORTER_ROLES = (Role.UNIT_REPORTER,)
TASK_ROLES = OVERVIEW_ROLES + REPORTER_ROLES
# Scorecard row for tasks no unit leads ("(chung)", names the clerk has not resolved).
NO_LEAD = gettext_lazy("(chưa có đơn vị chủ trì)")


# Lists never show a document's full text (tens of KB each); loading it with every task row
# made the overview 100x slower at a thousand tasks (bench/directives_overview.py).
DOCUMENT_HEAVY = ("document__text", "document__references", "document__replaces")
OVERDUE_SHOWN = 200


def _assignments_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=TaskAssignment.objects.select_related("unit", "official"),
    )


def reporter_unit_ids(user) -> list[int]:
    return list(user.directive_memberships.values_list("unit_id", flat=True))


def tasks_visible_to(user) -> QuerySet[Task]:
    """Confirmed tasks the user may open: all for overview roles, their units' for reporters."""
    qs = Task.objects.filter(is_draft=False).select_related("document").defer(*DOCUMENT_HEAVY)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.has_role(*OVERVIEW_ROLES):
        return qs
    if user.has_role(*REPORTER_ROLES):
        return qs.filter(assignments__unit__in=reporter_unit_ids(user)).distinct()
    return qs.none()


def task_get(user, pk: int) -> Task:
    return (
        tasks_visible_to(user)
        .prefetch_related(
            _assignments_prefetch(), "reports__attachments", "reports__by", "reviews__by"
        )
        .get(pk=pk)
    )


def reporter_tasks(user) -> list[Task]:
    return list(
        tasks_visible_to(user)
        .prefetch_related(_assignments_prefetch())
        .order_by("deadline", "document_id", "position", "pk")
    )


def documents_list() -> QuerySet[Document]:
    return Document.objects.defer("text").annotate(
        task_count=Count("tasks", filter=Q(tasks__is_draft=False)),
        draft_count=Count("tasks", filter=Q(tasks__is_draft=True)),
    )


def document_draft_tasks(document: Document) -> list[Task]:
    return list(
        document.tasks.filter(is_draft=True).prefetch_related(
            _assignments_prefetch(), "assignments__proposal"
        )
    )


def document_confirmed_tasks(document: Document) -> list[Task]:
    return list(
        document.tasks.filter(is_draft=False)
        .select_related("document")
        .defer(*DOCUMENT_HEAVY)
        .prefetch_related(_assignments_prefetch())
    )


def pending_proposals() -> QuerySet[UnitProposal]:
    return UnitProposal.objects.filter(status=UnitProposal.Status.PENDING).select_related(
        "document"
    )


@dataclass
class Tally:
    total: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0

    def add(self, task: Task, today) -> None:
        self.total += 1
        if task.status in Task.DONE_STATUSES:
            late = (
                task.deadline is not None
                and task.completed_at is not None
                and timezone.localdate(task.completed_at) > task.deadline
            )
            if late:
                self.late += 1
            else:
                self.on_time += 1
        else:
            self.open += 1
            if task.deadline is not None and task.deadline < today:
                self.overdue += 1

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Overview:
    total: Tally = field(default_factory=Tally)
    documents: list = field(default_factory=list)  # (Document, Tally)
    units: list = field(default_factory=list)  # (unit name, Tally)
    overdue: list = field(default_factory=list)  # tasks, the OVERDUE_SHOWN most overdue
    overdue_count: int = 0


@dataclass
class TaskRow:
    """The few fields the overview needs; plain rows, because building a thousand model
    instances with their assignments cost more than the queries (bench/directives_overview)."""

    pk: int
    document_id: int
    status: str
    deadline: date | None
    completed_at: datetime | None
    summary: str
    lead_name: str = ""

    @property
    def status_label(self) -> str:
        return Task.Status(self.status).label


def overview() -> Overview:
    """Per-document progress, per-unit scorecard and the overdue list in three queries.

    Counting in Python over one pass is cheaper than one aggregate per unit and document,
    and stays so at the thousands of tasks a province accumulates.
    """
    today = timezone.localdate()
    rows = [
        TaskRow(*values)
        for values in Task.objects.filter(is_draft=False)
        .order_by("deadline", "pk")
        .values_list("pk", "document_id", "status", "deadline", "completed_at", "summary")
    ]
    leads: dict[int, list[tuple[str | None, str]]] = defaultdict(list)
    for task_id, unit_name, name in (
        TaskAssignment.objects.filter(task__is_draft=False, role=TaskAssignment.Role.LEAD)
        .order_by("pk")
        .values_list("task_id", "unit__name", "name")
    ):
        leads[task_id].append((unit_name, name))
    documents = {
        d.pk: d
        for d in Document.objects.filter(pk__in={r.document_id for r in rows}).defer(
            "text", "references", "replaces"
        )
    }
    result = Overview()
    per_document: dict[int, tuple] = {}
    per_unit: dict = defaultdict(Tally)
    for row in rows:
        result.total.add(row, today)
        entry = per_document.setdefault(row.document_id, (documents[row.document_id], Tally()))
        entry[1].add(row, today)
        lead = next((unit for unit, _name in leads[row.pk] if unit), None)
        per_unit[lead or NO_LEAD].add(row, today)
        if row.status not in Task.DONE_STATUSES and row.deadline and row.deadline < today:
            result.overdue_count += 1
            if len(result.overdue) < OVERDUE_SHOWN:  # rows come ordered by deadline
                row.lead_name = lead or ", ".join(n for _u, n in leads[row.pk]) or "—"
                result.overdue.append(row)
    result.documents = sorted(per_document.values(), key=lambda e: -e[0].pk)
    result.units = sorted(per_unit.items(), key=lambda e: (-e[1].overdue, -e[1].open, str(e[0])))
    return result


def units_directory() -> QuerySet[OrgUnit]:
    return (
        OrgUnit.objects.filter(is_active=True)
        .exclude(kind=OrgUnit.Kind.COMMUNE)
        .prefetch_related("aliases", "memberships__user")
        .order_by("kind", "name")
    )
