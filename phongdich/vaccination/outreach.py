"""No one missed: the outreach list of a commune (everyone eligible and not vaccinated, or
overdue for their next dose), outcomes recorded per person, and the share of eligible
people vaccinated or accounted for.

A commune's list is computed in a fixed number of queries whatever its size: its residents,
their doses and their outcomes, then the rules per person in Python."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.idempotency import fields, submitted_once
from phongdich.people.models import Person
from phongdich.people.services import MatchScope

from . import rules, services
from .models import Dose, OutreachOutcome

UNVACCINATED, OVERDUE = "unvaccinated", "overdue"


@dataclass(frozen=True)
class Filters:
    min_age: int | None = None
    max_age: int | None = None  # inclusive
    need: str = ""  # "", UNVACCINATED or OVERDUE
    min_days_overdue: int = 0
    dose_number: int | None = None  # the dose due
    without_outcome: bool = False


@dataclass
class Entry:
    person: Person
    status: rules.Status
    need: str
    days_overdue: int
    outcome: OutreachOutcome | None


@dataclass
class OutreachList:
    entries: list[Entry] = field(default_factory=list)
    eligible: int = 0  # residents in the age filter to whom the rules give a dose now or later
    accounted: int = 0  # of them: not needing a dose today, or with an outcome that counts

    @property
    def not_missed(self) -> float | None:
        """ "Không bỏ sót": the share of eligible people vaccinated or with an outcome."""
        return self.accounted / self.eligible if self.eligible else None


def _need(status: rules.Status, day: date) -> tuple[str, int]:
    nxt = status.next
    if nxt.dose_number is None:
        return "", 0
    if status.status == rules.NOT_VACCINATED:
        return UNVACCINATED, 0
    due = nxt.recommended or nxt.earliest
    if due is not None and due <= day:
        return OVERDUE, (day - due).days
    return "", 0


def outreach_list(commune, filters: Filters, day: date, current=None) -> OutreachList:
    """Everyone of `commune` the filters keep who needs a dose on `day` (the caller checks
    the commune lies in the user's jurisdiction)."""
    current = current or services.policy()
    people = list(
        Person.objects.filter(commune=commune, merged_into__isnull=True).order_by("name_key", "pk")
    )
    doses: dict[int, list] = {}
    for dose in Dose.objects.filter(person__commune=commune).select_related("product"):
        doses.setdefault(dose.person_id, []).append(dose.dose_fact())
    outcomes: dict[int, OutreachOutcome] = {}
    for outcome in OutreachOutcome.objects.filter(person__commune=commune).order_by(
        "person_id", "-created_at", "-pk"
    ):
        outcomes.setdefault(outcome.person_id, outcome)
    result = OutreachList()
    for person in people:
        facts = services.as_rules_person(person)
        age = rules.age_on(facts, day)
        if filters.min_age is not None and (age is None or age < filters.min_age):
            continue
        if filters.max_age is not None and (age is None or age > filters.max_age):
            continue
        status = rules.status_on(facts, doses.get(person.pk, []), day, current)
        if status.next.reason == rules.NONE_PRIMARY_NOT_OPEN:
            continue  # not eligible: not counted either way
        need, overdue = _need(status, day)
        outcome = outcomes.get(person.pk)
        if outcome is not None and not outcome.counts_on(day):
            outcome = None
        result.eligible += 1
        if not need or outcome is not None:
            result.accounted += 1
        if not need:
            continue
        if filters.need and need != filters.need:
            continue
        if overdue < filters.min_days_overdue:
            continue
        if filters.dose_number and status.next.dose_number != filters.dose_number:
            continue
        if filters.without_outcome and outcome is not None:
            continue
        result.entries.append(Entry(person, status, need, overdue, outcome))
    return result


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
