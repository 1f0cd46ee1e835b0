"""Reads on directives. Documents and tasks are not personal data, but a unit reporter sees
only the tasks their own units lead or coordinate: another unit's task is a 404."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from phongdich.accounts.models import Role

from . import rules
from .models import (
    Document,
    OrgUnit,
    ProgressReport,
    Recurrence,
    Task,
    TaskAssignment,
    UnitProposal,
)

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
OVERDUE_SHOWN = 100
DOCUMENTS_SHOWN = 50
# What a document's row and its __str__ read.
DOCUMENT_ROW = ("pk", "title", "source_name")


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
            _assignments_prefetch(),
            "reports__attachments",
            "reports__by",
            "reports__unit",
            "reviews__by",
        )
        .get(pk=pk)
    )


def reporter_shows(today, status: str = "status") -> dict[str, Q]:
    """Filters of the reporter's list the home page's figures link to (directives.panels
    counts the same conditions). A reporter's lists filter on `my_status` (their unit's
    own status on the task, `with_my_status`)."""
    not_done = ~Q(**{f"{status}__in": Task.DONE_STATUSES})
    return {
        "overdue": not_done & Q(deadline__lt=today),
        "open": not_done,
        "reported": Q(**{status: Task.Status.REPORTED_DONE}),
    }


def with_my_status(qs: QuerySet[Task], user) -> QuerySet[Task]:
    """Annotate `my_status`: the status of the user's own unit on each task (its lead row
    first), so a district sees its share of a group task, not the group's."""
    from django.db.models import Subquery

    mine = TaskAssignment.objects.filter(
        task=OuterRef("pk"), unit__in=reporter_unit_ids(user)
    ).order_by("-role", "pk")  # "lead" sorts after "coordinating"
    return qs.annotate(my_status=Subquery(mine.values("status")[:1]))


def reporter_tasks(user, *, finished: bool = False) -> QuerySet[Task]:
    """The reporter's tasks, soonest deadline first: those still to do, or (`finished`)
    the ones the clerk has accepted (for the reporter's own unit)."""
    qs = with_my_status(tasks_visible_to(user), user)
    if finished:
        qs = qs.filter(my_status=Task.Status.ACCEPTED)
    else:
        qs = qs.exclude(my_status=Task.Status.ACCEPTED)
    return qs.prefetch_related(_assignments_prefetch()).order_by(
        F("deadline").asc(nulls_last=True), "document_id", "position", "pk"
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
    documents: list = field(default_factory=list)  # (Document, Tally), the newest DOCUMENTS_SHOWN
    documents_count: int = 0  # documents with confirmed tasks
    units: list = field(default_factory=list)  # (unit name, Tally)
    overdue: list = field(default_factory=list)  # tasks, the OVERDUE_SHOWN most overdue
    overdue_count: int = 0
    recurring: list = field(default_factory=list)  # RecurringRow, the current period's
    disagreeing: list = field(default_factory=list)  # indicators.Check of tasks done on paper


@dataclass
class RecurringRow:
    pk: int
    number: str
    summary: str
    recurrence: str
    period: date
    members: int = 0
    reported: int = 0

    @property
    def period_label(self) -> str:
        return rules.period_label(self.recurrence, self.period)

    @property
    def recurrence_label(self) -> str:
        return Recurrence(self.recurrence).label


def recurring_now(today, limit: int = OVERDUE_SHOWN) -> list[RecurringRow]:
    """Recurring tasks still followed, each with how many of its lead members have reported
    for the current period (those not yet reported first). Two queries."""
    tasks = (
        Task.objects.filter(is_draft=False)
        .exclude(recurrence="")
        .exclude(status=Task.Status.ACCEPTED)
        .order_by("document_id", "position", "pk")
        .values_list("pk", "label", "ref", "summary", "recurrence")[: limit * 5]
    )
    rows = {
        pk: RecurringRow(
            pk,
            label or (ref if ref[:1].isdigit() and "#" not in ref else ""),
            summary,
            recurrence,
            rules.period_start(recurrence, today),
        )
        for pk, label, ref, summary, recurrence in tasks
    }
    members = TaskAssignment.objects.filter(
        task_id__in=rows, role=TaskAssignment.Role.LEAD, unit__isnull=False
    ).values_list("task_id", "unit_id")
    reported = set(
        ProgressReport.objects.filter(task_id__in=rows, period__isnull=False)
        .filter(period__gte=min((r.period for r in rows.values()), default=today))
        .values_list("task_id", "unit_id", "period")
    )
    for task_id, unit_id in members:
        row = rows[task_id]
        row.members += 1
        row.reported += (task_id, unit_id, row.period) in reported
    return sorted(rows.values(), key=lambda r: r.reported >= r.members)[:limit]


@dataclass
class OverdueRow:
    pk: int
    deadline: date
    status: str
    summary: str
    lead_name: str = ""

    @property
    def status_label(self) -> str:
        return Task.Status(self.status).label


def _tally_counts(today, *, distinct: bool = False) -> dict:
    """Conditional counts for a Tally, computed by the database in one GROUP BY. `distinct`
    only where a join could repeat a task (the per-unit count through assignments)."""
    done = Q(status__in=Task.DONE_STATUSES)
    late = done & Q(deadline__isnull=False, completed_at__date__gt=F("deadline"))
    return {
        "n_total": Count("pk", distinct=distinct),
        "n_done": Count("pk", filter=done, distinct=distinct),
        "n_late": Count("pk", filter=late, distinct=distinct),
        "n_overdue": Count("pk", filter=~done & Q(deadline__lt=today), distinct=distinct),
    }


def _tally(row: dict) -> Tally:
    total, done, late = row["n_total"], row["n_done"], row["n_late"]
    return Tally(
        total=total, on_time=done - late, late=late, open=total - done, overdue=row["n_overdue"]
    )


def overview() -> Overview:
    """Totals, per-document progress, per-unit scorecard and the overdue list.

    The counting happens in the database (one GROUP BY per table), so the page costs the
    same few queries whether the province has followed a hundred tasks or ten thousand.
    """
    today = timezone.localdate()
    counts = _tally_counts(today)
    confirmed = Task.objects.filter(is_draft=False)
    result = Overview()
    result.total = _tally(confirmed.aggregate(**counts))
    per_document = {
        row["document_id"]: _tally(row)
        for row in confirmed.values("document_id").annotate(**counts).order_by()
    }
    # The newest documents only: a province follows hundreds, and rendering a row for each
    # cost most of the page (the list of documents and the export have them all).
    shown = sorted(per_document, reverse=True)[:DOCUMENTS_SHOWN]
    documents = Document.objects.filter(pk__in=shown).only(*DOCUMENT_ROW)
    result.documents = sorted(((d, per_document[d.pk]) for d in documents), key=lambda e: -e[0].pk)
    result.documents_count = len(per_document)
    # The scorecard counts members: a notice to every district is one task but a line of
    # work for each district, judged on that district's own status. One pass over the
    # confirmed tasks joined to their lead members: a member row counts for its unit (its
    # own status and completion), a task without one for "no lead unit" (the task's).
    lead = FilteredRelation(
        "assignments",
        condition=Q(assignments__role=TaskAssignment.Role.LEAD, assignments__unit__isnull=False),
    )
    unled = Q(lead__id__isnull=True)
    status = Case(When(unled, then=F("status")), default=F("lead__status"))
    completed = Case(When(unled, then=F("completed_at")), default=F("lead__completed_at"))
    done = Q(line_status__in=Task.DONE_STATUSES)
    rows = (
        confirmed.annotate(lead=lead)
        .annotate(line_status=status, line_completed=completed)
        .values("lead__unit_id")
        .annotate(
            n_total=Count("pk"),
            n_done=Count("pk", filter=done),
            n_late=Count(
                "pk",
                filter=done & Q(deadline__isnull=False, line_completed__date__gt=F("deadline")),
            ),
            n_overdue=Count("pk", filter=~done & Q(deadline__lt=today)),
        )
        .order_by()
    )
    rows = list(rows)
    names = dict(
        OrgUnit.objects.filter(pk__in=[r["lead__unit_id"] for r in rows]).values_list("pk", "name")
    )
    per_name: dict = {}
    for row in rows:  # units that share a name make one line, as before
        unit_id = row.pop("lead__unit_id")
        name = names[unit_id] if unit_id else NO_LEAD
        line = per_name.setdefault(name, dict.fromkeys(row, 0))
        for key, value in row.items():
            line[key] += value
    units = [(name, _tally(row)) for name, row in per_name.items()]
    result.units = sorted(units, key=lambda e: (-e[1].overdue, -e[1].open, str(e[0])))
    overdue = confirmed.exclude(status__in=Task.DONE_STATUSES).filter(deadline__lt=today)
    result.overdue_count = result.total.overdue
    result.recurring = recurring_now(today)
    result.overdue = [
        OverdueRow(*values)
        for values in overdue.order_by("deadline", "pk").values_list(
            "pk", "deadline", "status", "summary"
        )[:OVERDUE_SHOWN]
    ]
    names: dict[int, list] = defaultdict(list)
    for task_id, unit_name, name, group_name in (
        TaskAssignment.objects.filter(
            role=TaskAssignment.Role.LEAD, task_id__in=[r.pk for r in result.overdue]
        )
        .order_by("pk")
        .values_list("task_id", "unit__name", "name", "group_name")
    ):
        # a group's members are named by the group as written, once
        shown = group_name or unit_name or name
        if shown not in names[task_id]:
            names[task_id].append(shown)
    for row in result.overdue:
        row.lead_name = ", ".join(names[row.pk]) or "—"
    return result


def units_directory() -> QuerySet[OrgUnit]:
    return (
        OrgUnit.objects.filter(is_active=True)
        .exclude(kind=OrgUnit.Kind.COMMUNE)
        .prefetch_related("aliases", "memberships__user")
        .order_by("kind", "name")
    )


def document_job(document: Document):
    """The state of the background job reading `document` (None when it was read inline)."""
    from phongdich.schedule.selectors import job_status

    if document.extract_job_id is None:
        return None
    result = DBTaskResult.objects.select_related("lease").filter(pk=document.extract_job_id).first()
    return job_status(result) if result else None


@dataclass
class Member:
    """One unit's part of a task: its status, and for a recurring task whether it has
    reported for the current period."""

    assignment: TaskAssignment
    reported_this_period: bool | None = None  # None: the task does not recur

    @property
    def is_lead(self) -> bool:
        return self.assignment.role == TaskAssignment.Role.LEAD


def task_members(task: Task) -> list[Member]:
    """The units of a task (leads first) with their own status; the clerk sees who has
    reported. One query for a recurring task's period, none otherwise (prefetched)."""
    assignments = [a for a in task.assignments.all() if a.unit_id]
    assignments.sort(key=lambda a: (a.role != TaskAssignment.Role.LEAD, a.unit.name))
    start = rules.period_start(task.recurrence, timezone.localdate())
    reported: set[int] = set()
    if start is not None:
        reported = set(
            ProgressReport.objects.filter(task=task, period=start).values_list("unit_id", flat=True)
        )
    return [Member(a, (a.unit_id in reported) if start is not None else None) for a in assignments]


def current_period_label(task: Task) -> str:
    start = rules.period_start(task.recurrence, timezone.localdate())
    return rules.period_label(task.recurrence, start) if start else ""
