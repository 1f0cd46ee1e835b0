"""The committee overview (`/directives/overview/`): its figures, computed once per change.

`overview_compute` counts every confirmed task (a few GROUP BY queries); `overview` returns
the stored result while it is valid (models.OverviewFigures says when), and recomputes it
otherwise. Every service that changes a figure calls `figures_changed` in its transaction;
the scheduler's `directives.refresh_overview` job recomputes every 10 minutes anyway, so
the day's rollover (overdue, the recurring periods) and any change made outside the
services (the Django admin, a shell) reach the page without waiting for a viewer.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db.models import Case, Count, F, FilteredRelation, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import rules
from .models import (
    Document,
    OrgUnit,
    OverviewFigures,
    ProgressReport,
    Recurrence,
    Task,
    TaskAssignment,
)
from .selectors import Tally

# Scorecard row for tasks no unit leads ("(chung)", names the clerk has not resolved).
NO_LEAD = gettext_lazy("(chưa có đơn vị chủ trì)")
OVERDUE_SHOWN = 100
DOCUMENTS_SHOWN = 50
# What a document's row and its __str__ read.
DOCUMENT_ROW = ("pk", "title", "source_name")
FIGURES_PK = 1


@dataclass
class DocumentRow:
    pk: int
    label: str  # str(document): its title, else its file name

    def __str__(self) -> str:
        return self.label


@dataclass
class Overview:
    total: Tally = field(default_factory=Tally)
    documents: list = field(
        default_factory=list
    )  # (DocumentRow, Tally), the newest DOCUMENTS_SHOWN
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


def overview_compute(today: date) -> Overview:
    """Totals, per-document progress, per-unit scorecard and the overdue list, counted now.

    The counting happens in the database (one GROUP BY per table); the page reads the stored
    result (`overview`), so this runs once per change, not once per viewer.
    """
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
    result.documents = sorted(
        ((DocumentRow(d.pk, str(d)), per_document[d.pk]) for d in documents),
        key=lambda e: -e[0].pk,
    )
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
    result.units = _units_sorted([(name, _tally(row)) for name, row in per_name.items()])
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


def _units_sorted(units: list) -> list:
    # Most overdue first; the "no lead unit" line sorts by its name in the viewer's language.
    return sorted(units, key=lambda e: (-e[1].overdue, -e[1].open, str(e[0])))


# --- the stored figures ---------------------------------------------------------------------


def _tally_out(t: Tally) -> list:
    return [t.total, t.on_time, t.late, t.open, t.overdue]


def overview_to_data(result: Overview) -> dict:
    """The figures as JSON (the disagreeing checks are the viewer's own: never stored)."""
    return {
        "total": _tally_out(result.total),
        "documents": [[d.pk, d.label, _tally_out(t)] for d, t in result.documents],
        "documents_count": result.documents_count,
        # the "no lead unit" line is stored as None and named in the viewer's language
        "units": [[None if n is NO_LEAD else str(n), _tally_out(t)] for n, t in result.units],
        "overdue": [
            [r.pk, r.deadline.isoformat(), r.status, r.summary, r.lead_name] for r in result.overdue
        ],
        "overdue_count": result.overdue_count,
        "recurring": [{**asdict(r), "period": r.period.isoformat()} for r in result.recurring],
    }


def overview_from_data(data: dict) -> Overview:
    return Overview(
        total=Tally(*data["total"]),
        documents=[(DocumentRow(pk, label), Tally(*t)) for pk, label, t in data["documents"]],
        documents_count=data["documents_count"],
        units=_units_sorted([(NO_LEAD if n is None else n, Tally(*t)) for n, t in data["units"]]),
        overdue=[
            OverdueRow(pk, date.fromisoformat(deadline), status, summary, lead_name)
            for pk, deadline, status, summary, lead_name in data["overdue"]
        ],
        overdue_count=data["overdue_count"],
        recurring=[
            RecurringRow(**{**r, "period": date.fromisoformat(r["period"])})
            for r in data["recurring"]
        ],
    )


def _figures_row() -> OverviewFigures:
    row = OverviewFigures.objects.filter(pk=FIGURES_PK).first()
    if row is None:
        # Two first readers at once: one creates it, the other reads the one created.
        row, _created = OverviewFigures.objects.get_or_create(pk=FIGURES_PK)
    return row


def figures_changed() -> None:
    """Call in the transaction of every write that changes an overview figure (a task
    confirmed, a member's status, a lead unit): the stored figures and the rendered page are
    stale from its commit on. Called last, the row lock it takes is held only until commit."""
    # No row yet (a new database) means nothing stored to invalidate: the update is a no-op.
    OverviewFigures.objects.filter(pk=FIGURES_PK).update(generation=F("generation") + 1)


def _store(row: OverviewFigures, result: Overview, today: date, *, generation: int) -> bool:
    """Store `result` as the figures of `generation`, unless a write bumped it since `row`
    was read (then the next reader recomputes)."""
    return bool(
        OverviewFigures.objects.filter(pk=FIGURES_PK, generation=row.generation).update(
            generation=generation,
            computed_generation=generation,
            day=today,
            computed_at=timezone.now(),
            data=overview_to_data(result),
        )
    )


@dataclass
class Figures:
    overview: Overview
    key: str  # names what this overview was computed from: (row token, generation, day)
    computed_at: object = None


def overview_key(row: OverviewFigures, today: date) -> str:
    return f"{row.token}:{row.generation}:{today.isoformat()}"


def figures_row() -> OverviewFigures:
    """The stored figures' row without the figures (one query): its key names them, for
    caching what is rendered of them."""
    row = OverviewFigures.objects.defer("data").filter(pk=FIGURES_PK).first()
    return row or _figures_row()


def overview(today: date | None = None, *, row: OverviewFigures | None = None) -> Figures:
    """The overview's figures: the stored ones while valid (one query), else counted now and
    stored for the next viewer. `row` (from `figures_row`) saves reading it again."""
    today = today or timezone.localdate()
    row = row or _figures_row()
    if row.computed_generation == row.generation and row.day == today:
        return Figures(overview_from_data(row.data), overview_key(row, today), row.computed_at)
    result = overview_compute(today)
    _store(row, result, today, generation=row.generation)
    return Figures(result, overview_key(row, today), timezone.now())


def overview_refresh(today: date | None = None) -> bool:
    """Recount the figures and store them if they differ from the stored ones (a new day, a
    change a service did not announce). Returns whether they changed."""
    today = today or timezone.localdate()
    row = _figures_row()
    result = overview_compute(today)
    fresh = row.computed_generation == row.generation and row.day == today
    if fresh and row.data == overview_to_data(result):
        return False
    # A new generation, so pages rendered from the old figures are not served again.
    return _store(row, result, today, generation=row.generation + 1)
