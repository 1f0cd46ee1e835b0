"""The per-person summary behind the outreach list (models.OutreachSummary).

`ensure_fresh(residents, day, current)` recomputes, with the rules, only the residents whose
row does not hold on `day` under the current policy (on a quiet day: none, one query), then
the list filters, counts and pages in SQL. Dose and person writes drop the person's row
through signals, so a dose recorded by any path (form, review, import, API) is seen on the
next read."""

import hashlib
from datetime import date

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from phongdich.people.models import Person

from . import rules
from .models import Dose, OutreachSummary

CHUNK = 2000
FAR = date(9999, 1, 1)


def policy_key(current: rules.Policy) -> str:
    return hashlib.sha256(repr(current).encode()).hexdigest()[:16]


def holding(day: date, key: str) -> Q:
    return Q(valid_from__lte=day, valid_until__gt=day, policy_key=key)


def _policy_days(current: rules.Policy) -> list[date]:
    return sorted(
        {r.valid_from for r in (*current.intervals, *current.eligibility, *current.mixes)}
    )


def _next_birthday(person: rules.Person, day: date) -> date:
    if person.birth_date is None:
        return date(day.year + 1, 1, 1)  # a birth year: ages change on 1 January
    born = person.birth_date
    for year in (day.year, day.year + 1):
        try:
            candidate = born.replace(year=year)
        except ValueError:  # 29 February
            candidate = date(year, 3, 1)
        if candidate > day:
            return candidate
    return date(day.year + 1, 1, 1)


def compute(pk, birth_date, birth_year, facts, day, current, changes) -> OutreachSummary:
    person = rules.Person(birth_date=birth_date, birth_year=birth_year)
    status = rules.status_on(person, facts, day, current)
    nxt = status.next
    later = [d for d in changes if d > day]
    later += [f.given_on for f in facts if f.given_on > day]
    if birth_date is not None or birth_year is not None:
        later.append(_next_birthday(person, day))
    return OutreachSummary(
        person_id=pk,
        age=rules.age_on(person, day),
        doses=status.doses,
        eligible=nxt.reason != rules.NONE_PRIMARY_NOT_OPEN,
        next_dose_number=nxt.dose_number,
        next_earliest=nxt.earliest,
        next_due=nxt.recommended or nxt.earliest,
        valid_from=day,
        valid_until=min(later, default=FAR),
        policy_key=policy_key(current),
    )


def ensure_fresh(residents, day: date, current: rules.Policy) -> int:
    """Recompute the rows of `residents` (a Person queryset) that do not hold on `day`."""
    key = policy_key(current)
    stale = list(
        residents.exclude(
            pk__in=OutreachSummary.objects.filter(holding(day, key)).values("person_id")
        ).values_list("pk", "birth_date", "birth_year")
    )
    if not stale:
        return 0
    changes = _policy_days(current)
    for start in range(0, len(stale), CHUNK):
        chunk = stale[start : start + CHUNK]
        doses: dict[int, list] = {}
        for person_id, code, number, kind, given_on in Dose.objects.filter(
            person_id__in=[pk for pk, *_ in chunk]
        ).values_list("person_id", "product__code", "dose_number", "kind", "given_on"):
            doses.setdefault(person_id, []).append(rules.DoseFact(code, number, kind, given_on))
        rows = [
            compute(pk, birth_date, birth_year, doses.get(pk, []), day, current, changes)
            for pk, birth_date, birth_year in chunk
        ]
        OutreachSummary.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=[
                f.name for f in OutreachSummary._meta.concrete_fields if not f.primary_key
            ],
        )
    return len(stale)


def refresh_all(day: date | None = None) -> int:
    """Make every commune's summaries hold on `day` (job `vaccination.refresh_outreach`).

    A commune's first list after its summaries stopped holding (a new year's ages, a policy
    edit, people loaded in bulk) otherwise computes them in the request: 3.7 s for 20,000
    residents, against the 300 ms a list read takes. One commune at a time, so each round
    stays small and a list read at the same moment never waits long; returns the rows
    recomputed (those whose day of change passed: a normal night's few)."""
    from django.utils import timezone

    from phongdich.geo.models import AdminUnit

    from .policy import policy

    day = day or timezone.localdate()
    current = policy()
    communes = AdminUnit.objects.filter(kind=AdminUnit.Kind.COMMUNE).order_by("pk")
    done = 0
    for commune_id in communes.values_list("pk", flat=True).iterator():
        residents = Person.objects.filter(commune_id=commune_id, merged_into__isnull=True)
        done += ensure_fresh(residents, day, current)
    return done


def _drop(person_id) -> None:
    OutreachSummary.objects.filter(person_id=person_id).delete()


def _dose_changed(sender, instance, **kwargs):
    _drop(instance.person_id)


def _person_changed(sender, instance, created=False, **kwargs):
    if not created:
        _drop(instance.pk)


def connect() -> None:
    post_save.connect(_dose_changed, sender=Dose, dispatch_uid="vaccination-summary-dose")
    post_delete.connect(_dose_changed, sender=Dose, dispatch_uid="vaccination-summary-dose-del")
    post_save.connect(_person_changed, sender=Person, dispatch_uid="vaccination-summary-person")
