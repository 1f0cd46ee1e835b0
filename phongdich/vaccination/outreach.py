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


def outreach_list(
    commune, filters: Filters, day: date, current=None, *, people_for: int | None = None
) -> OutreachList:
    """Everyone of `commune` the filters keep who needs a dose on `day` (the caller checks
    the commune lies in the user's jurisdiction). The rules run over plain tuples; Person
    rows are loaded only for the first `people_for` entries (all when None), since building
    20,000 model instances costs more than the rules themselves."""
    current = current or services.policy()
    residents = Person.objects.filter(commune=commune, merged_into__isnull=True)
    doses: dict[int, list] = {}
    for person_id, code, number, kind, given_on in Dose.objects.filter(
        person__commune=commune
    ).values_list("person_id", "product__code", "dose_number", "kind", "given_on"):
        doses.setdefault(person_id, []).append(rules.DoseFact(code, number, kind, given_on))
    outcomes: dict[int, OutreachOutcome] = {}
    for outcome in OutreachOutcome.objects.filter(person__commune=commune).order_by(
        "person_id", "-created_at", "-pk"
    ):
        outcomes.setdefault(outcome.person_id, outcome)
    result = OutreachList()
    rows = residents.order_by("name_key", "pk").values_list("pk", "birth_date", "birth_year")
    for pk, birth_date, birth_year in rows:
        facts = rules.Person(birth_date=birth_date, birth_year=birth_year)
        age = rules.age_on(facts, day)
        if filters.min_age is not None and (age is None or age < filters.min_age):
            continue
        if filters.max_age is not None and (age is None or age > filters.max_age):
            continue
        status = rules.status_on(facts, doses.get(pk, []), day, current)
        if status.next.reason == rules.NONE_PRIMARY_NOT_OPEN:
            continue  # not eligible: not counted either way
        need, overdue = _need(status, day)
        outcome = outcomes.get(pk)
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
        result.entries.append(Entry(pk, status, need, overdue, outcome))
    shown = result.entries if people_for is None else result.entries[:people_for]
    for start in range(0, len(shown), 2000):
        chunk = shown[start : start + 2000]
        people = residents.in_bulk([e.person for e in chunk])
        for entry in chunk:
            entry.person = people[entry.person]
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
