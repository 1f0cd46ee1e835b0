"""A range of days assessed at once (the history backfill: a year of daily levels for
every unit). The same inputs and rules as the daily assessment (`services.unit_inputs`,
`rules.assess`), but read set-based: one read of the figures of the whole range, one of
the coverage figures, one of the publications, and the rows written with COPY on
PostgreSQL (bulk inserts elsewhere). Reviewed and published days are kept as they are."""

import gc
import json
from bisect import bisect_left
from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib.locks import key_lock
from phongdich.stats.models import UnitFigure

from . import rules as level_rules
from .models import Assessment
from .services import (
    BEDS_LOOKBACK_DAYS,
    CASES,
    DEATHS,
    SEVERE,
    SNAPSHOTS,
    _home_province,
    care_staff,
    unit_inputs,
)
from .severe import new_severe_by_day, window_sum
from .thresholds import rules_by_day

MAX_DAYS = 800
NULL = "\\N"  # COPY text's null


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _coverage_by_day(ids, first: date, last: date) -> dict[date, dict[int, dict]]:
    """Each day's coverage shares as the daily assessment reads them: the latest computed
    day within the 7 days up to the day."""
    try:
        from phongdich.vaccination.models import CoverageBand, CoverageFigure
    except (ImportError, RuntimeError):
        return {}
    wanted = {
        CoverageBand.AGE_18_PLUS: (("adults_at_least_one", "at_least_one"),),
        CoverageBand.AGE_50_PLUS: (("over_50_full", "full"), ("high_risk_full", "full")),
        CoverageBand.ALL: (("population_full", "full"),),
    }
    by_day: dict[date, dict[int, dict]] = defaultdict(dict)
    for figure in CoverageFigure.objects.filter(
        day__gt=first - timedelta(days=7), day__lte=last, band__in=wanted
    ):
        # Every computed day is kept (any unit's), since a day with figures for other
        # units still is "the latest day" for the rule.
        entry = by_day[figure.day]
        if figure.unit_id in ids:
            shares = entry.setdefault(figure.unit_id, {"coverage_day": figure.day.isoformat()})
            for key, field in wanted[figure.band]:
                shares[key] = figure.share(field)
    computed = sorted(by_day)
    out: dict[date, dict[int, dict]] = {}
    for day in _days(first, last):
        i = bisect_left(computed, day + timedelta(days=1)) - 1
        if i >= 0 and computed[i] > day - timedelta(days=7):
            out[day] = by_day[computed[i]]
    return out


def _published(ids, last: date) -> dict[int, tuple[list[date], list[int]]]:
    out: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    rows = (
        Assessment.objects.filter(unit_id__in=ids, status=Assessment.Status.PUBLISHED, day__lt=last)
        .order_by("unit_id", "day")
        .values_list("unit_id", "day", "level", "computed_level")
    )
    for unit_id, day, level, computed in rows:
        out[unit_id][0].append(day)
        out[unit_id][1].append(level if level is not None else computed)
    return out


def _previous(published, unit_id: int, day: date) -> int | None:
    days, levels = published.get(unit_id, ((), ()))
    i = bisect_left(days, day) - 1
    return levels[i] if i >= 0 else None


@transaction.atomic
def levels_history(*, by, first: date, last: date, province: AdminUnit | None = None) -> int:
    """Assess every unit for every day from `first` to `last`; returns the rows stored."""
    if last < first or (last - first).days >= MAX_DAYS:
        raise ValueError("range")
    province = province or _home_province()
    if province is None:
        return 0
    key_lock(f"levels.history:{province.pk}")
    units = list(AdminUnit.objects.filter(path__startswith=province.path))
    by_id = {u.pk: u for u in units}
    ids = set(by_id)
    days = _days(first, last)
    rule_sets = rules_by_day(days)
    widest = max((rs.case_window_days for rs in rule_sets.values() if rs), default=14)
    # daily[unit][metric] = {day: value}: one read of the whole range.
    daily: dict[int, dict[str, dict[date, int]]] = defaultdict(lambda: defaultdict(dict))
    start = first - timedelta(days=max(widest, BEDS_LOOKBACK_DAYS))
    for unit_id, metric, when, value in (
        UnitFigure.objects.filter(
            unit_id__in=ids,
            metric__in=(CASES, DEATHS, *SNAPSHOTS),
            day__gt=start,
            day__lte=last,
        )
        .values_list("unit_id", "metric", "day", "value")
        .iterator(chunk_size=20_000)
    ):
        daily[unit_id][metric][when] = value
    # running[unit] = (cases, deaths): cumulative totals by day index from `start`, so that
    # the sum over (day - n, day] is running[i] - running[i - n].
    span = [start + timedelta(days=i) for i in range((last - start).days + 1)]
    index = {d: i for i, d in enumerate(span)}
    running: dict[int, tuple[list[int], list[int]]] = {}
    for unit_id, metrics in daily.items():
        totals = []
        for metric in (CASES, DEATHS):
            values, acc, out = metrics.get(metric, {}), 0, []
            for d in span:
                acc += values.get(d, 0)
                out.append(acc)
            totals.append(out)
        running[unit_id] = (totals[0], totals[1])
    coverage = _coverage_by_day(ids, first, last)
    staff = care_staff(by_id)
    severe = new_severe_by_day(units, first - timedelta(days=6), last)
    published = _published(ids, last + timedelta(days=1))
    decided = set(
        Assessment.objects.filter(day__gte=first, day__lte=last, unit_id__in=ids)
        .exclude(status=Assessment.Status.PROPOSED)
        .values_list("unit_id", "day")
    )
    Assessment.objects.filter(
        day__gte=first, day__lte=last, unit_id__in=ids, status=Assessment.Status.PROPOSED
    ).delete()

    def produce():
        for day in days:
            rs = rule_sets[day]
            if rs is None:
                continue
            window = rs.case_window_days
            sums: dict[int, dict[str, int]] = {}
            beds_day: dict[int, dict[str, tuple[date, int]]] = {}
            # As the daily read: the latest snapshot within max(window, lookback) days.
            bed_days = [day - timedelta(days=i) for i in range(max(window, BEDS_LOOKBACK_DAYS))]
            at = index[day]
            for unit_id, (cases, deaths) in running.items():
                # Running totals: a window's sum is two lookups, whatever its length.
                sums[unit_id] = {
                    CASES: cases[at] - cases[at - window],
                    DEATHS: deaths[at] - deaths[at - 7],
                }
            for unit_id, metrics in daily.items():
                found = {}
                for metric in SNAPSHOTS:
                    values = metrics.get(metric)
                    if values:
                        for d in bed_days:  # newest first
                            if d in values:
                                found[metric] = (d, values[d])
                                break
                if found:
                    beds_day[unit_id] = found
            for unit_id, counts in severe.items():
                sums.setdefault(unit_id, {})[SEVERE] = window_sum(counts, day)
            day_coverage = coverage.get(day, {})
            for unit in units:
                if (unit.pk, day) in decided:
                    continue
                inputs = unit_inputs(unit, by_id, sums, beds_day, day_coverage, window, staff)
                outcome = level_rules.assess(rs, inputs, _previous(published, unit.pk, day))
                yield (unit.pk, day, rs.code, inputs, outcome)

    # Rows stream into the COPY as they are assessed (a year is 200,000 rows); the cyclic
    # garbage collector is paused meanwhile, since none of these objects forms a cycle and
    # its passes over the growing heap cost more than the work.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        stored = _write(produce())
    finally:
        if gc_was_on:
            gc.enable()
    audit_record(
        actor=by,
        action="levels.history",
        changes={"first": first.isoformat(), "last": last.isoformat(), "rows": stored},
    )
    return stored


def _write(rows) -> int:
    """Store the rows; returns how many."""
    count = 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield row

    if connection.vendor != "postgresql":
        Assessment.objects.bulk_create(
            (
                Assessment(
                    unit_id=u,
                    day=d,
                    rules=code,
                    inputs=i,
                    outcome=o.as_dict(),
                    computed_level=o.level,
                    unconfirmed=bool(o.unconfirmed),
                )
                for u, d, code, i, o in counted()
            ),
            batch_size=2000,
        )
        return count
    now = timezone.now()
    columns = (
        "unit_id, day, rules, inputs, outcome, computed_level, unconfirmed, computed_at, "
        "status, override_reason"
    )
    fragments: dict = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper takes no writer
        # The queued writer sends the data from a thread of its own, so the server's work
        # on one block (parsing the JSON, TOAST) overlaps the assessment of the next rows
        # instead of following it.
        writer = QueuedLibpqWriter(raw)
        # Rows are written as COPY text, a block of them at a time: the backfill's rows
        # differ in a few numbers, and formatting them here in bulk costs a fraction of
        # the driver's field-by-field conversion of each row.
        tail = f"\t{now.isoformat()}\t{Assessment.Status.PROPOSED.value}\t\n"
        block: list[str] = []
        with raw.copy(f"COPY levels_assessment ({columns}) FROM STDIN", writer=writer) as copy:
            for u, d, code, i, o in counted():
                block.append(
                    f"{u}\t{d.isoformat()}\t{code}\t"
                    f"{_copy_text(json.dumps(i, ensure_ascii=False))}\t"
                    f"{_copy_text(outcome_json(o, fragments))}\t"
                    f"{NULL if o.level is None else o.level}\t"
                    f"{'t' if o.unconfirmed else 'f'}{tail}"
                )
                if len(block) >= 500:
                    copy.write("".join(block))
                    block.clear()
            if block:
                copy.write("".join(block))
    return count


def _copy_text(value: str) -> str:
    """A JSON document as a field of COPY's text format: JSON escapes every control
    character itself, so only its backslashes need doubling."""
    return value.replace("\\", "\\\\") if "\\" in value else value


def _encoded(value, fragments: dict) -> str:
    """JSON of a value of the outcome; strings and lists repeat (result codes, rule codes,
    the lists of unconfirmed cells), so they are encoded once."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is float or kind is int:
        return repr(value)  # what json.dumps writes for a finite number
    if value is True:
        return "true"
    if value is False:
        return "false"
    key = tuple(value) if kind is list else value
    found = fragments.get(key)
    if found is None:
        found = fragments[key] = json.dumps(value, ensure_ascii=False)
    return found


def outcome_json(outcome, fragments: dict) -> str:
    """`json.dumps(outcome.as_dict())`, with each criterion's fixed part (key, label,
    threshold, source, flag) encoded once per distinct value and reused: across a year of
    rows only the value and the result differ, and the encoder was a quarter of the
    backfill's time. Same JSON document (the key order differs; jsonb keeps none)."""
    parts = []
    for c in outcome.criteria:
        fixed = (c.key, c.label, c.threshold, c.source, c.confirmed)
        prefix = fragments.get(fixed)
        if prefix is None:
            prefix = json.dumps(
                {
                    "key": c.key,
                    "label": c.label,
                    "threshold": c.threshold,
                    "source": c.source,
                    "confirmed": c.confirmed,
                },
                ensure_ascii=False,
            )[:-1]
            fragments[fixed] = prefix
        # A criterion's value is a number or None (rules.Criterion), its result a code.
        value = "null" if c.value is None else repr(c.value)
        result = fragments.get(c.result) or _encoded(c.result, fragments)
        parts.append(f'{prefix}, "value": {value}, "result": {result}}}')
    return (
        f'{{"level": {_encoded(outcome.level, fragments)}, '
        f'"rules": {_encoded(outcome.rules, fragments)}, '
        f'"criteria": [{", ".join(parts)}], '
        f'"unconfirmed": {_encoded(outcome.unconfirmed, fragments)}, '
        f'"missing": {_encoded(outcome.missing, fragments)}}}'
    )
