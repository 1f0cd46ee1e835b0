"""Step 3 of the bulk import decided in Python, batch after batch of lines: SQLite's path
(PostgreSQL decides set-based, decide.py)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone

from phongdich.people.models import Person

from .. import person_status, rules
from ..imports import DoseImport
from ..models import Dose, DoseReview, Source, VaccineProduct
from ..policy import policy
from . import tables
from .tables import (
    DOSE_COLUMNS,
    MATCH,
    OUT_DOSES,
    OUT_REVIEWS,
    REVIEW_COLUMNS,
    STAGE,
    STAGE_COLUMNS,
    WEAK,
    copy_rows,
)

DECIDE_COLUMNS = (*STAGE_COLUMNS, "person_id", "strong", "weak", "src_dose", "same_dose",
                  "src_review", "same_review")  # fmt: skip


def _decide_sql() -> str:
    """One batch of lines with what decides them. Joins on the unique keys (each finds at
    most one row) rather than EXISTS, so the planner probes the indexes: as a hashed
    subplan, EXISTS read the whole dose table once per batch."""
    dose, review = Dose._meta.db_table, DoseReview._meta.db_table
    # "x.source_id <> ''" stated for the planner: the unique keys on the source id are
    # partial indexes with that condition, used only when the query says it.
    picked = ", ".join(f"s.{c}" for c in STAGE_COLUMNS)
    return f"""SELECT {picked}, m.person_id, COALESCE(m.strong, 0), w.line IS NOT NULL,
        ds.id IS NOT NULL, dd.id IS NOT NULL, rs.id IS NOT NULL, rd.id IS NOT NULL
    FROM (SELECT * FROM {STAGE} WHERE line > %s ORDER BY line LIMIT %s) s
    LEFT JOIN {MATCH} m ON m.line = s.line
    LEFT JOIN {WEAK} w ON w.line = s.line
    LEFT JOIN {dose} ds ON s.source_id <> '' AND ds.source_id <> '' AND ds.source = %s
        AND ds.source_id = s.source_id
    LEFT JOIN {dose} dd ON m.strong = 1 AND dd.person_id = m.person_id
        AND dd.dose_number = s.dose_number AND dd.given_on = s.given_on
    LEFT JOIN {review} rs ON s.source_id <> '' AND rs.source_id <> '' AND rs.source = %s
        AND rs.source_id = s.source_id
    LEFT JOIN {review} rd ON rd.identity_key = s.identity_key
        AND rd.dose_number = s.dose_number AND rd.given_on = s.given_on
    ORDER BY s.line"""


def decide(by, staged: int, result: DoseImport, report) -> None:
    """Decide the staged lines in file order, one batch of lines at a time: each batch is
    read with what the database holds after the batches before it, and checked against
    the rows before it in the same batch."""
    sql = _decide_sql()
    current = policy()
    codes = dict(VaccineProduct.objects.values_list("pk", "code"))
    actor = by.pk if getattr(by, "is_authenticated", False) else None
    last, done = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last, tables.BATCH, Source.IMPORTED, Source.IMPORTED])
            rows = [dict(zip(DECIDE_COLUMNS, r, strict=True)) for r in cursor.fetchall()]
        if not rows:
            break
        last = rows[-1]["line"]
        _decide_batch(rows, result, current, codes, actor)
        done += len(rows)
        report("record", done, staged)


def _as_date(value) -> date | None:
    # SQLite hands dates back as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _decide_batch(rows, result: DoseImport, current, codes: dict, actor) -> None:
    for row in rows:
        row["given_on"] = _as_date(row["given_on"])
        row["birth_date"] = _as_date(row["birth_date"])
    matched = {r["person_id"] for r in rows if r["strong"] == 1}
    people = {
        pk: rules.Person(birth_date=born, birth_year=year)
        for pk, born, year in Person.objects.filter(pk__in=matched).values_list(
            "pk", "birth_date", "birth_year"
        )
    }
    facts: dict[int, list[rules.DoseFact]] = {pk: [] for pk in matched}
    for person_id, product_id, number, kind, given_on, pk in Dose.objects.filter(
        person_id__in=matched
    ).values_list("person_id", "product_id", "dose_number", "kind", "given_on", "pk"):
        facts[person_id].append(rules.DoseFact(codes[product_id], number, kind, given_on, pk))
    dose_sources, dose_days = set(), set()
    review_sources, review_days = set(), set()
    new_doses, new_reviews = [], []
    for row in rows:
        source_id = row["source_id"]
        if row["src_dose"] or (source_id and source_id in dose_sources):
            result.unchanged += 1
            continue
        day = (row["dose_number"], row["given_on"])
        if row["strong"] == 1:
            person_id = row["person_id"]
            if row["same_dose"] or (person_id, *day) in dose_days:
                result.unchanged += 1
                continue
            fact = rules.DoseFact(
                codes[row["product_id"]], row["dose_number"], row["kind"], row["given_on"]
            )
            # In services.person_doses' order: with two doses of one number, which one is
            # "the previous dose" depends on it (Dose's Meta ordering gives it too; this
            # keeps it true if that ordering changes).
            others = sorted(facts[person_id], key=lambda f: (f.given_on, f.dose_number))
            flags = rules.violations(people[person_id], fact, others, current)
            facts[person_id].append(fact)
            dose_days.add((person_id, *day))
            if source_id:
                dose_sources.add(source_id)
            new_doses.append((row, ",".join(flags)))
            continue
        if row["src_review"] or (source_id and source_id in review_sources):
            result.unchanged += 1
            continue
        if row["same_review"] or (row["identity_key"], *day) in review_days:
            result.unchanged += 1
            continue
        review_days.add((row["identity_key"], *day))
        if source_id:
            review_sources.add(source_id)
        reason = (
            DoseReview.Reason.CONFLICT
            if row["strong"] > 1
            else DoseReview.Reason.WEAK
            if row["weak"]
            else DoseReview.Reason.NO_MATCH
        )
        new_reviews.append((row, reason))
    written = _insert_doses(new_doses, actor)
    person_status.refresh_people(row["person_id"] for row, _flags in new_doses)
    result.recorded += written
    result.unchanged += len(new_doses) - written
    written = _insert_reviews(new_reviews, actor)
    result.queued += written
    result.unchanged += len(new_reviews) - written


def _insert(out: str, model, names: tuple[str, ...], values: list[tuple]) -> int:
    """Copy the rows into `out`, then one INSERT … SELECT … ON CONFLICT DO NOTHING (both
    unique keys of the table: the source id, and the person or identity + dose number +
    day); return how many rows went in."""
    if not values:
        return 0
    copy_rows(values, out, names)
    listed = ", ".join(names)
    with connection.cursor() as cursor:
        # "WHERE 1 = 1": SQLite reads "SELECT … ON CONFLICT" as an upsert clause otherwise.
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({listed}) SELECT {listed} FROM {out} "
            "WHERE 1 = 1 ON CONFLICT DO NOTHING"
        )
        written = cursor.rowcount
        cursor.execute(f"DELETE FROM {out}")
    return written


def _common(row: dict, actor, now) -> tuple:
    return (row["product_id"], row["dose_number"], row["kind"], row["given_on"], "fixed",
            row["site_name"], row["lot"], Source.IMPORTED, row["source_id"], actor, now)  # fmt: skip


def _now():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _insert_doses(items: list[tuple[dict, str]], actor) -> int:
    now = _now()
    values = [(*_common(row, actor, now), row["person_id"], flags, None) for row, flags in items]
    return _insert(OUT_DOSES, Dose, DOSE_COLUMNS, values)


def _insert_reviews(items: list[tuple[dict, str]], actor) -> int:
    now = _now()
    values = [
        (
            *_common(row, actor, now),
            row["full_name"],
            row["birth_date"],
            row["birth_year"],
            row["sex"],
            row["phone"],
            row["id_number"],
            row["commune_id"],
            row["identity_key"],
            reason,
            DoseReview.Status.OPEN,
            "",  # unlink_reason: only a dose taken off a person carries one
        )
        for row, reason in items
    ]
    return _insert(OUT_REVIEWS, DoseReview, REVIEW_COLUMNS, values)
