"""Reads on directives. Documents and tasks are not personal data, but a unit reporter sees
only the tasks their own units lead or coordinate: another unit's task is a 404."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from phongdich.accounts.models import Role

from . import rules
from .models import (
    Document,
    OrgUnit,
    ProgressReport,
    Task,
    TaskAssignment,
    UnitProposal,
)

# Who sees every document and task: the clerk who follows them up, the committee, the admin.
OVERVIEW_ROLES = (Role.DIRECTIVE_CLERK, Role.COMMITTEE_MEMBER, Role.PROVINCE_ADMIN)
CLERK_ROLES = (Role.DIRECTIVE_CLERK,)
REPORTER_ROLES = (Role.UNIT_REPORTER,)
TASK_ROLES = OVERVIEW_ROLES + REPORTER_ROLES


# Lists never show a document's full text (tens of KB each); loading it with every task row
# made the overview 100x slower at a thousand tasks (bench/directives_overview.py).
DOCUMENT_HEAVY = ("document__text", "document__references", "document__replaces")


def _assignments_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=TaskAssignment.objects.select_related("unit", "official"),
    )


def reporter_unit_ids(user) -> QuerySet:
    """The user's units, as a subquery (no statement of its own)."""
    return user.directive_memberships.values("unit_id")


def tasks_visible_to(user) -> QuerySet[Task]:
    """Confirmed tasks the user may open: all for overview roles, their units' for reporters."""
    qs = Task.objects.filter(is_draft=False).select_related("document").defer(*DOCUMENT_HEAVY)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.has_role(*OVERVIEW_ROLES):
        return qs
    if user.has_role(*REPORTER_ROLES):
        # EXISTS, not a join and DISTINCT: DISTINCT compared and sorted every selected
        # column of every task (1.2 s of the reporter's 1.35 s list at 1,786 tasks).
        mine = TaskAssignment.objects.filter(task=OuterRef("pk"), unit__in=reporter_unit_ids(user))
        return qs.filter(Exists(mine))
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


def with_my_status(qs: QuerySet[Task], user, unit_ids=None) -> QuerySet[Task]:
    """Annotate `my_status`: the status of the user's own unit on each task (its lead row
    first), so a district sees its share of a group task, not the group's. `unit_ids`, the
    user's units already read, makes the per-task lookup one index probe instead of also
    re-reading the memberships for every task."""
    from django.db.models import Subquery

    units = reporter_unit_ids(user) if unit_ids is None else unit_ids
    mine = TaskAssignment.objects.filter(task=OuterRef("pk"), unit__in=units).order_by(
        "-role", "pk"
    )  # "lead" sorts after "coordinating"
    return qs.annotate(my_status=Subquery(mine.values("status")[:1]))


def reporter_tasks(user, *, finished: bool = False, unit_ids=None) -> QuerySet[Task]:
    """The reporter's tasks, soonest deadline first: those still to do, or (`finished`)
    the ones the clerk has accepted (for the reporter's own unit)."""
    visible = tasks_visible_to(user)
    reporter_only = user.has_role(*REPORTER_ROLES) and not user.has_role(*OVERVIEW_ROLES)
    if unit_ids and user.is_active and reporter_only:
        # tasks_visible_to's rows for a reporter, as a semi-join on the units already read
        # (its Exists would read the memberships again for each task).
        mine = TaskAssignment.objects.filter(unit__in=unit_ids).values("task_id")
        visible = (
            Task.objects.filter(is_draft=False, pk__in=mine)
            .select_related("document")
            .defer(*DOCUMENT_HEAVY)
        )
    qs = with_my_status(visible, user, unit_ids)
    if finished:
        qs = qs.filter(my_status=Task.Status.ACCEPTED)
    else:
        qs = qs.exclude(my_status=Task.Status.ACCEPTED)
    return qs.order_by(F("deadline").asc(nulls_last=True), "document_id", "position", "pk")


def reporter_page(
    user, *, finished: bool, condition: Q | None, number, unit_ids=None, per_page: int = 50
):
    """One page of the reporter's list: (the page, its tasks with `lead_names`).

    The order and the count come from one narrow statement of the task ids (no task text,
    no document, no COUNT(*) doing the whole filter a second time), then only the page's
    tasks are read whole. A district's list holds every group task of the province
    (1,786 at 470 documents): the single statement sorted and counted 1,786 full rows to
    show 50, 0.17-0.25 s of the page on PostgreSQL (issue 17)."""
    from django.core.paginator import Paginator

    if unit_ids is None:  # the page that shows the units passes the ids it read
        unit_ids = list(reporter_unit_ids(user).values_list("unit_id", flat=True))
    listed = reporter_tasks(user, finished=finished, unit_ids=unit_ids)
    if condition is not None:
        listed = listed.filter(condition)
    page = Paginator(list(listed.values_list("pk", flat=True)), per_page).get_page(number)
    rows = {
        task.pk: task
        for task in with_my_status(
            Task.objects.filter(pk__in=page.object_list)
            .select_related("document")
            .defer(*DOCUMENT_HEAVY),
            user,
            unit_ids,
        )
    }
    # The page then holds the tasks themselves, as a queryset's page would.
    page.object_list = with_lead_names([rows[pk] for pk in page.object_list if pk in rows])
    return page, page.object_list


def with_lead_names(tasks: list[Task]) -> list[Task]:
    """Set `lead_names` on each task of a page: its lead units' names, in the order the
    assignments sort. One statement of names, not ~30 assignment and unit objects per group
    task (a reporter's list built 2,800 model instances for 50 rows; issue 17)."""
    names: dict[int, list[str]] = {task.pk: [] for task in tasks}
    rows = (
        TaskAssignment.objects.filter(task__in=names, role=TaskAssignment.Role.LEAD)
        .order_by("pk")
        .values_list("task_id", "unit__name", "name")
    )
    for task_id, unit_name, name in rows:
        names[task_id].append(unit_name or name)
    for task in tasks:
        task.lead_names = names[task.pk]
    return tasks


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
