"""Reads on directives. Documents and tasks are not personal data, but a unit reporter sees
only the tasks their own units lead or coordinate: another unit's task is a 404."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

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
OVERDUE_SHOWN = 100


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


def reporter_shows(today) -> dict[str, Q]:
    """Filters of the reporter's list the home page's figures link to (directives.panels
    counts the same conditions)."""
    not_done = ~Q(status__in=Task.DONE_STATUSES)
    return {
        "overdue": not_done & Q(deadline__lt=today),
        "open": not_done,
        "reported": Q(status=Task.Status.REPORTED_DONE),
    }


def reporter_tasks(user, *, finished: bool = False) -> QuerySet[Task]:
    """The reporter's tasks, soonest deadline first: those still to do, or (`finished`)
    the ones the clerk has accepted."""
    qs = tasks_visible_to(user)
    if finished:
        qs = qs.filter(status=Task.Status.ACCEPTED)
    else:
        qs = qs.exclude(status=Task.Status.ACCEPTED)
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
    documents: list = field(default_factory=list)  # (Document, Tally)
    units: list = field(default_factory=list)  # (unit name, Tally)
    overdue: list = field(default_factory=list)  # tasks, the OVERDUE_SHOWN most overdue
    overdue_count: int = 0


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
    documents = Document.objects.filter(pk__in=per_document).defer("text", "references", "replaces")
    result.documents = sorted(((d, per_document[d.pk]) for d in documents), key=lambda e: -e[0].pk)
    led = TaskAssignment.objects.filter(role=TaskAssignment.Role.LEAD, unit__isnull=False)
    units = [
        (row["assignments__unit__name"], _tally(row))
        for row in confirmed.filter(
            assignments__role=TaskAssignment.Role.LEAD, assignments__unit__isnull=False
        )
        .values("assignments__unit__name")
        .annotate(**_tally_counts(today, distinct=True))
        .order_by()
    ]
    unled = confirmed.exclude(pk__in=led.values("task_id")).aggregate(**counts)
    if unled["n_total"]:
        units.append((NO_LEAD, _tally(unled)))
    result.units = sorted(units, key=lambda e: (-e[1].overdue, -e[1].open, str(e[0])))
    overdue = confirmed.exclude(status__in=Task.DONE_STATUSES).filter(deadline__lt=today)
    result.overdue_count = result.total.overdue
    result.overdue = [
        OverdueRow(*values)
        for values in overdue.order_by("deadline", "pk").values_list(
            "pk", "deadline", "status", "summary"
        )[:OVERDUE_SHOWN]
    ]
    names: dict[int, list] = defaultdict(list)
    for task_id, unit_name, name in (
        TaskAssignment.objects.filter(
            role=TaskAssignment.Role.LEAD, task_id__in=[r.pk for r in result.overdue]
        )
        .order_by("pk")
        .values_list("task_id", "unit__name", "name")
    ):
        names[task_id].append(unit_name or name)
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
