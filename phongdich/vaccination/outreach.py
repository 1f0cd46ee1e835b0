"""No one missed: the outreach list of a commune (everyone eligible and not vaccinated, or
overdue for their next dose), outcomes recorded per person, and the share of eligible
people vaccinated or accounted for.

A commune's list is set-based: filtered, counted and paged in SQL over a per-person summary
the rules keep (summary.py), in a fixed number of queries whatever the commune's size."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.idempotency import fields, submitted_once
from phongdich.people.models import Person
from phongdich.people.services import MatchScope

from . import rules, services, summary
from .coverage import HIGH_RISK_FROM_AGE
from .models import OutreachOutcome, OutreachSummary, RiskFlag

UNVACCINATED, OVERDUE = "unvaccinated", "overdue"


@dataclass(frozen=True)
class Filters:
    min_age: int | None = None
    max_age: int | None = None  # inclusive
    need: str = ""  # "", UNVACCINATED or OVERDUE
    min_days_overdue: int = 0
    dose_number: int | None = None  # the dose due
    without_outcome: bool = False
    # "", "risk" (50+ or any stored flag), "50+", "65+", or a stored RiskGroup value
    risk_group: str = ""


@dataclass
class Entry:
    person: Person  # the person's id until outreach_list loads the row
    status: rules.Status
    need: str
    days_overdue: int
    outcome: OutreachOutcome | None


@dataclass
class OutreachList:
    entries: list[Entry] = field(default_factory=list)
    eligible: int = 0  # residents in the age filter to whom the rules give a dose now or later
    accounted: int = 0  # of them: not needing a dose today, or with an outcome that counts
    total: int = 0  # people on the whole list (`entries` may be one page of it)

    @property
    def not_missed(self) -> float | None:
        """ "Không bỏ sót": the share of eligible people vaccinated or with an outcome."""
        return self.accounted / self.eligible if self.eligible else None


NEED_NONE, NEED_UNVACCINATED, NEED_OVERDUE = 0, 1, 2
NEED_WORDS = {NEED_UNVACCINATED: UNVACCINATED, NEED_OVERDUE: OVERDUE}


def _summaries(commune, filters: Filters, day: date, current, *, refresh: bool = True):
    """The commune's residents' summaries holding on `day`, in the age filter and given a
    dose by the rules now or later, annotated with what they need and their outcome.
    `refresh=False` skips bringing them up to date (a batch after the first)."""
    if refresh:
        residents = Person.objects.filter(commune=commune, merged_into__isnull=True)
        summary.ensure_fresh(residents, day, current)
    latest = OutreachOutcome.objects.filter(person_id=OuterRef("person_id")).order_by(
        "-created_at", "-pk"
    )
    counts = ~Q(kind=OutreachOutcome.Kind.POSTPONED) | Q(until__gte=day)
    rows = OutreachSummary.objects.filter(
        summary.holding(day, summary.policy_key(current)),
        person__commune=commune,
        person__merged_into__isnull=True,
        eligible=True,
    )
    if filters.min_age is not None:
        rows = rows.filter(age__gte=filters.min_age)
    if filters.max_age is not None:
        rows = rows.filter(age__lte=filters.max_age)
    if filters.risk_group:
        rows = rows.filter(_risk_q(filters.risk_group, day))
    has_next = Q(next_dose_number__isnull=False)
    return rows.annotate(
        need=Case(
            When(has_next & Q(doses=0), then=Value(NEED_UNVACCINATED)),
            When(has_next & Q(doses__gt=0, next_due__lte=day), then=Value(NEED_OVERDUE)),
            default=Value(NEED_NONE),
            output_field=IntegerField(),
        ),
        outcome_id=Subquery(latest.values("pk")[:1]),
        outcome_counts=Exists(OutreachOutcome.objects.filter(counts, pk=OuterRef("outcome_id"))),
    )


def _risk_q(group: str, day: date) -> Q:
    """People in a risk group on `day`: by age (50+, 65+), by a stored flag holding on the
    day, or "risk" for either (coverage.HIGH_RISK_FROM_AGE)."""
    holding = RiskFlag.objects.filter(
        Q(until__isnull=True) | Q(until__gte=day), person_id=OuterRef("person_id"), since__lte=day
    )
    if group == "50+":
        return Q(age__gte=50)
    if group == "65+":
        return Q(age__gte=65)
    if group == "risk":
        return Q(age__gte=HIGH_RISK_FROM_AGE) | Q(Exists(holding))
    return Q(Exists(holding.filter(group=group)))


def _listed(filters: Filters, day: date) -> Q:
    q = Q(need__gt=NEED_NONE)
    if filters.need:
        q &= Q(need=NEED_OVERDUE if filters.need == OVERDUE else NEED_UNVACCINATED)
    if filters.min_days_overdue:
        # The unvaccinated are 0 days overdue; the overdue are counted from the due day.
        q &= Q(need=NEED_OVERDUE, next_due__lte=day - timedelta(days=filters.min_days_overdue))
    if filters.dose_number:
        q &= Q(next_dose_number=filters.dose_number)
    if filters.without_outcome:
        q &= Q(outcome_counts=False)
    return q


def outreach_list(
    commune,
    filters: Filters,
    day: date,
    current=None,
    *,
    people_for: int | None = None,
    offset: int = 0,
) -> OutreachList:
    """Everyone of `commune` the filters keep who needs a dose on `day` (the caller checks
    the commune lies in the user's jurisdiction): the figures over the whole list, and the
    entries `offset`..`offset + people_for` (all when None), in name order.

    Set-based on the per-person summary (summary.py): one query checks the summaries hold,
    one counts, one reads the rows shown with their people, one their outcomes; the rules
    run only for the residents whose summary had to be recomputed."""
    current = current or services.policy()
    rows = _summaries(commune, filters, day, current)
    listed = _listed(filters, day)
    figures = rows.aggregate(
        eligible=Count("pk"),
        accounted=Count("pk", filter=Q(need=NEED_NONE) | Q(outcome_counts=True)),
        total=Count("pk", filter=listed),
    )
    result = OutreachList(
        eligible=figures["eligible"], accounted=figures["accounted"], total=figures["total"]
    )
    shown = rows.filter(listed).select_related("person").order_by("person__name_key", "pk")
    shown = shown[offset:] if people_for is None else shown[offset : offset + people_for]
    return _entries(result, shown, day)


def _entries(result: OutreachList, shown, day: date) -> OutreachList:
    page = list(shown)
    # Always one query (in_bulk skips an empty list), so the count stays pinned.
    ids = [r.outcome_id for r in page if r.outcome_counts]
    outcomes = {o.pk: o for o in OutreachOutcome.objects.filter(pk__in=ids or [0])}
    for r in page:
        status = rules.Status(
            rules.NOT_VACCINATED if r.doses == 0 else "",
            r.doses,
            next=rules.NextDose(
                dose_number=r.next_dose_number, earliest=r.next_earliest, recommended=r.next_due
            ),
        )
        overdue = (day - r.next_due).days if r.need == NEED_OVERDUE else 0
        result.entries.append(
            Entry(r.person, status, NEED_WORDS[r.need], overdue, outcomes.get(r.outcome_id))
        )
    return result


def outreach_rows(commune, filters: Filters, day: date, current=None):
    """Every entry of the list, read in chunks: the export streams them into the sheet."""
    current = current or services.policy()
    rows = _summaries(commune, filters, day, current).filter(_listed(filters, day))
    rows = rows.select_related("person").order_by("person__name_key", "pk")
    chunk = []
    for row in rows.iterator(chunk_size=summary.CHUNK):
        chunk.append(row)
        if len(chunk) == summary.CHUNK:
            yield from _entries(OutreachList(), chunk, day).entries
            chunk = []
    yield from _entries(OutreachList(), chunk, day).entries


PRINT_BATCH = 1000
_SUMMARY_OF_PERSON = OutreachSummary._meta.get_field("person").remote_field


def outreach_batches(commune, filters: Filters, day: date, current=None, *, size=PRINT_BATCH):
    """Every entry of the list in name order, `size` at a time, for the streamed print.

    Keyset batches on (name key, summary id), not OFFSET: each batch is one indexed range
    read plus one read of its outcomes, so 20,000 people are 2 × 20 queries whatever the
    position, and only one batch sits in memory. Call `outreach_list` first (it brings the
    summaries up to date); this reads them as they are."""
    current = current or services.policy()
    listed = _listed(filters, day)
    after: tuple[str, int] | None = None
    while True:
        rows = _summaries(commune, filters, day, current, refresh=False).filter(listed)
        if after is not None:
            key, pk = after
            rows = rows.filter(Q(person__name_key__gt=key) | Q(person__name_key=key, pk__gt=pk))
        page = list(rows.select_related("person").order_by("person__name_key", "pk")[:size])
        if not page:
            return
        for row in page:
            # select_related on a one-to-one caches each side on the other: a reference
            # cycle only a full garbage collection frees, so the batches already sent would
            # pile up in memory until one ran (29 MiB for 13,567 rows; see docs).
            if _SUMMARY_OF_PERSON.is_cached(row.person):
                _SUMMARY_OF_PERSON.delete_cached_value(row.person)
        yield _entries(OutreachList(), page, day).entries
        if len(page) < size:
            return
        after = (page[-1].person.name_key, page[-1].pk)


@transaction.atomic
@submitted_once(OutreachOutcome)
def outreach_outcome_record(
    *, by, person: Person, kind: str, reason: str = "", until=None, submission=None
) -> OutreachOutcome:
    if not MatchScope.for_caller(by).contains(person.commune) or person.merged_into_id:
        raise PermissionDenied(_("Người này nằm ngoài địa bàn của bạn."))
    if kind == OutreachOutcome.Kind.POSTPONED and until is None:
        raise ValidationError({"until": _("Cần ngày hết tạm hoãn.")})
    if (
        kind in (OutreachOutcome.Kind.REFUSED, OutreachOutcome.Kind.CONTRAINDICATION)
        and not (reason or "").strip()
    ):
        raise ValidationError({"reason": _("Cần ghi lý do.")})
    outcome = OutreachOutcome.objects.create(
        person=person,
        kind=kind,
        reason=(reason or "").strip(),
        until=until if kind == OutreachOutcome.Kind.POSTPONED else None,
        recorded_by=by,
        **fields(submission),
    )
    audit_record(
        actor=by,
        action="vaccination.outreach.outcome",
        target=outcome,
        changes={"person": person.pk, "kind": kind},
    )
    return outcome
