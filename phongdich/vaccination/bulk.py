"""The bulk path of the dose import: province files (millions of rows) without one save()
per row, deciding every row exactly as the per-row path (`imports.import_doses_per_row`).

1. The file is streamed (`lib.imports.TableStream`: the same columns, checks and
   line-numbered report) into a staging table: COPY on PostgreSQL, batched executemany on
   SQLite. All or nothing: a file with any bad line is refused before a dose is written.
2. People are matched set-based in SQL with the registry's rules (`people.services`,
   `_all_candidates` and `MatchScope`, as `services.match_person` reads them), inside the
   importer's jurisdiction: a person is the row's when exactly one live person in scope is
   a strong match (the same CCCD or held-back CCCD under the same folded name; or one of the
   first 20 records of the phone with the same folded name and birth year, not carrying
   another CCCD). Several strong matches: CONFLICT; only weaker candidates (the CCCD under
   another name, the phone alone, the name and birth year in the commune): WEAK; nobody:
   NO_MATCH. Those rows go to the review queue as `DoseReview`s, as the per-row path does.
3. Rows are decided in file order, batch after batch of lines: a source id already
   recorded, or the same person + dose number + day, changes nothing; the flags of a dose
   (rules.violations) are computed against the person's doses recorded so far, earlier
   lines of the file included. Inserts carry ON CONFLICT DO NOTHING, so a concurrent writer
   of the same dose (the form, the API) never makes a second one.

The whole import is one transaction under a key lock on the file's digest: two imports of
one file at once run one after the other, and the second finds everything recorded. It is
audited once, with its counts ("vaccination.import").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import imports
from phongdich.lib.locks import key_lock
from phongdich.lib.text import name_key
from phongdich.people.models import Person
from phongdich.people.services import MatchScope

from . import bulk_stage, person_status, rules
from .imports import MAX_BYTES, MAX_ROWS, DoseImport, columns, row_check
from .models import Dose, DoseReview, Source, VaccineProduct
from .policy import policy

BATCH = 5000  # lines staged, then decided, per round
# Lines decided per round on PostgreSQL, set-based: a round's cost is mostly its fixed
# statements (ten, and an ANALYZE), so larger rounds than Python's.
SET_BATCH = 50_000
# The registry looks at the first 20 records of a phone (people.services._all_candidates).
PHONE_CANDIDATES = 20

STAGE = "vaccination_dose_stage"
PHONES = "vaccination_dose_stage_phone"
STRONG = "vaccination_dose_stage_strong"
MATCH = "vaccination_dose_stage_match"
WEAK = "vaccination_dose_stage_weak"
OUT_DOSES = "vaccination_dose_stage_out"
OUT_REVIEWS = "vaccination_dose_stage_out_review"
SCOPE = "vaccination_dose_stage_scope"
TABLES = (STAGE, PHONES, STRONG, MATCH, SCOPE, WEAK, OUT_DOSES, OUT_REVIEWS)

STAGE_COLUMNS = (
    "line",
    "full_name",
    "name_key",
    "birth_year",
    "birth_date",
    "sex",
    "phone",
    "id_number",
    "commune_id",
    "identity_key",
    "product_id",
    "dose_number",
    "kind",
    "given_on",
    "site_name",
    "lot",
    "source_id",
)

DOSE_FIELDS = ("product_id", "dose_number", "kind", "given_on", "site_kind", "site_name", "lot",
               "source", "source_id", "recorded_by_id", "created_at")  # fmt: skip
DOSE_COLUMNS = (*DOSE_FIELDS, "person_id", "flags", "flags_cleared_by_id")
REVIEW_COLUMNS = (*DOSE_FIELDS, "full_name", "birth_date", "birth_year", "sex", "phone",
                  "id_number", "commune_id", "identity_key", "reason", "status",
                  "unlink_reason")  # fmt: skip

Progress = Callable[[str, int, int], None]  # (stage, lines done, lines in all)


def file_digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    while chunk := upload.read(1 << 20):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def import_doses_bulk(
    *,
    by,
    upload,
    mode: str,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    progress: Progress | None = None,
) -> DoseImport:
    kind = imports.check_upload(upload, max_bytes=max_bytes)
    result = DoseImport()
    report = progress or (lambda stage, done, total: None)
    try:
        with transaction.atomic():
            key_lock(f"vaccination:import:{file_digest(upload)}")
            if connection.vendor == "postgresql":
                # The per-batch reads are short; compiling them (JIT) took 95 % of their time.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
            # Created inside the transaction: a refusal or an error rolls them back too.
            _create_tables()
            stream = None
            if kind == "csv" and connection.vendor == "postgresql":
                stream = bulk_stage.stage_csv(
                    by, upload, max_rows=max_rows, current=policy(), stage=STAGE,
                    stage_row=_stage_row, copy_rows=_copy,
                )  # fmt: skip
            if stream is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT COUNT(*) FROM {STAGE}")
                    staged = cursor.fetchone()[0]
                report("read", stream.total, stream.total)
            else:  # XLSX, SQLite, or a CSV the COPY path does not read as the Python one
                stream = imports.TableStream(
                    upload, columns(), kind=kind, max_rows=max_rows, check=row_check(by)
                )
                staged = _stage(stream, report)
            result.errors = stream.report
            imports.refuse_if_rows_failed(stream, mode)
            _match(by, staged, report)
            _decide(by, staged, result, report)
            _drop_tables()
            audit_record(
                actor=by,
                action="vaccination.import",
                changes={
                    "file": (upload.name or "")[:100],
                    "path": "bulk",
                    "mode": mode,
                    "lines": stream.total,
                    "recorded": result.recorded,
                    "queued": result.queued,
                    "unchanged": result.unchanged,
                    "errors": result.errors.total,
                },
            )
    except imports.FileRefused as exc:
        result.recorded = result.queued = result.unchanged = 0
        result.refusal = exc.messages[0]
        if exc.report is not None:
            result.errors = exc.report
    return result


# --- staging -------------------------------------------------------------------------------


def _create_tables() -> None:
    _drop_tables()
    text = "varchar(200) NOT NULL DEFAULT ''"
    temp = "CREATE TEMPORARY TABLE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{temp} {STAGE} (
                line integer PRIMARY KEY, full_name {text}, name_key {text},
                birth_year integer NULL, birth_date date NULL, sex {text}, phone {text},
                id_number {text}, commune_id integer NOT NULL, identity_key {text},
                product_id integer NOT NULL, dose_number integer NOT NULL, kind {text},
                given_on date NOT NULL, site_name {text}, lot {text}, source_id {text})"""
        )
        cursor.execute(
            f"""{temp} {PHONES} (person_id integer NOT NULL, phone {text}, name_key {text},
                birth_year integer NULL, id_number varchar(20) NULL, in_scope integer NOT NULL)"""
        )
        cursor.execute(f"{temp} {STRONG} (line integer NOT NULL, person_id integer NOT NULL)")
        cursor.execute(
            f"""{temp} {MATCH} (line integer PRIMARY KEY, person_id integer NOT NULL,
                strong integer NOT NULL)"""
        )
        cursor.execute(f"{temp} {SCOPE} (unit_id integer PRIMARY KEY)")
        cursor.execute(f"{temp} {WEAK} (line integer PRIMARY KEY)")
        # Decided rows are copied here, then moved with one INSERT … SELECT per batch.
        for out, model, names in (
            (OUT_DOSES, Dose, DOSE_COLUMNS),
            (OUT_REVIEWS, DoseReview, REVIEW_COLUMNS),
        ):
            cursor.execute(
                f"{temp} {out} AS SELECT {', '.join(names)} FROM {model._meta.db_table} WHERE 1 = 0"
            )


def _drop_tables() -> None:
    with connection.cursor() as cursor:
        for table in (*TABLES, *bulk_stage.TABLES):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _stage_row(row: imports.Row, current) -> tuple:
    values = row.values
    born, year = values["birth"] or (None, None)
    full_name = values["full_name"]
    phone = values["phone"] or ""
    id_number = values["id_number"] or ""
    commune = values["commune"]
    product = values["product"]
    key = name_key(full_name)
    # services.Identity.key(): a re-import of a queued row without a source id meets it.
    identity_key = hashlib.sha256(
        "|".join([key, str(year or ""), phone, id_number, str(commune.pk)]).encode()
    ).hexdigest()
    return (
        row.line,
        full_name,
        key,
        year,
        born,
        values["sex"] or "",
        phone,
        id_number,
        commune.pk,
        identity_key,
        product.pk,
        values["dose_number"],
        rules.default_kind(values["dose_number"], product.code, current),
        values["given_on"],
        values["site_name"] or "",
        values["lot"] or "",
        values["source_id"] or "",
    )


def _stage(stream: imports.TableStream, report: Progress) -> int:
    """Stream the good rows into the staging table; return how many."""
    current = policy()
    staged = 0
    batch: list[tuple] = []
    for row in stream:
        batch.append(_stage_row(row, current))
        if len(batch) >= BATCH:
            _copy(batch)
            staged += len(batch)
            batch = []
            report("read", stream.total, 0)
    if batch:
        _copy(batch)
        staged += len(batch)
    report("read", stream.total, stream.total)
    return staged


def _copy(rows: list[tuple], table: str = STAGE, columns: tuple[str, ...] = STAGE_COLUMNS):
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


# --- matching, set-based -------------------------------------------------------------------


def _match(by, staged: int, report: Progress) -> None:
    """Fill MATCH with every staged line's strong candidates: one person (strong = 1) or
    several (strong = their count, the line goes to review as a conflict)."""
    scope = MatchScope.for_caller(by)
    person = Person._meta.db_table
    units = AdminUnit._meta.db_table
    params: list = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {STAGE}")
        if scope.path is not None:
            cursor.execute(
                f"INSERT INTO {SCOPE} (unit_id) SELECT id FROM {units} WHERE path LIKE %s",
                [scope.path + "%"],
            )
        # MatchScope.contains on the person's commune, as SQL.
        in_scope = f"(p.commune_id IN (SELECT unit_id FROM {SCOPE})"
        in_scope += " OR p.commune_id IS NULL)" if scope.unowned else ")"
        cursor.execute(
            f"""INSERT INTO {PHONES} (person_id, phone, name_key, birth_year, id_number, in_scope)
            SELECT id, phone, name_key, birth_year, id_number, in_scope FROM (
                SELECT p.id, p.phone, p.name_key, p.birth_year, p.id_number,
                    CASE WHEN {in_scope} THEN 1 ELSE 0 END AS in_scope,
                    ROW_NUMBER() OVER (PARTITION BY p.phone ORDER BY p.id) AS rank
                FROM {person} p
                WHERE p.merged_into_id IS NULL
                  AND p.phone IN (SELECT DISTINCT phone FROM {STAGE} WHERE phone <> '')
            ) ranked WHERE rank <= %s""",
            [PHONE_CANDIDATES],
        )
        cursor.execute(
            f"""INSERT INTO {STRONG} (line, person_id)
            SELECT s.line, p.id FROM {STAGE} s JOIN {person} p ON p.id_number = s.id_number
            WHERE s.id_number <> '' AND p.merged_into_id IS NULL AND p.name_key = s.name_key
              AND {in_scope}
            UNION
            SELECT s.line, p.id FROM {STAGE} s
                JOIN {person} p ON p.claimed_id_number = s.id_number
            WHERE s.id_number <> '' AND p.merged_into_id IS NULL AND p.name_key = s.name_key
              AND {in_scope}
            UNION
            SELECT s.line, f.person_id FROM {STAGE} s JOIN {PHONES} f ON f.phone = s.phone
            WHERE s.phone <> '' AND s.birth_year IS NOT NULL AND f.in_scope = 1
              AND f.name_key = s.name_key AND f.birth_year = s.birth_year
              AND (s.id_number = '' OR f.id_number IS NULL OR f.id_number = ''
                   OR f.id_number = s.id_number)""",
            params,
        )
        cursor.execute(
            f"""INSERT INTO {MATCH} (line, person_id, strong)
            SELECT line, MIN(person_id), COUNT(DISTINCT person_id) FROM {STRONG} GROUP BY line"""
        )
        # Lines with any candidate at all (WEAK rather than NO_MATCH when none is strong).
        cursor.execute(
            f"""INSERT INTO {WEAK} (line)
            SELECT s.line FROM {STAGE} s JOIN {person} p ON p.id_number = s.id_number
            WHERE s.id_number <> '' AND p.merged_into_id IS NULL AND {in_scope}
            UNION
            SELECT s.line FROM {STAGE} s JOIN {person} p ON p.claimed_id_number = s.id_number
            WHERE s.id_number <> '' AND p.claimed_id_number <> ''
              AND p.merged_into_id IS NULL AND {in_scope}
            UNION
            SELECT s.line FROM {STAGE} s JOIN {PHONES} f ON f.phone = s.phone
            WHERE s.phone <> '' AND f.in_scope = 1
            UNION
            SELECT s.line FROM {STAGE} s JOIN {person} p ON p.commune_id = s.commune_id
                AND p.name_key = s.name_key AND p.birth_year = s.birth_year
            WHERE s.birth_year IS NOT NULL AND p.merged_into_id IS NULL"""
        )
        if connection.vendor == "postgresql":
            # Temporary tables are never analysed by autovacuum: without figures the
            # planner guesses badly for the per-batch reads.
            for table in (PHONES, MATCH, WEAK):
                cursor.execute(f"ANALYZE {table}")
    report("match", staged, staged)


# --- deciding in file order ------------------------------------------------------------------

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


def _decide(by, staged: int, result: DoseImport, report: Progress) -> None:
    """Decide the staged lines in file order, one batch of lines at a time: each batch is
    read with what the database holds after the batches before it, and checked against
    the rows before it in the same batch."""
    if connection.vendor == "postgresql":
        _decide_set_based(by, staged, result, report)
        return
    sql = _decide_sql()
    current = policy()
    codes = dict(VaccineProduct.objects.values_list("pk", "code"))
    actor = by.pk if getattr(by, "is_authenticated", False) else None
    last, done = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [last, BATCH, Source.IMPORTED, Source.IMPORTED])
            rows = [dict(zip(DECIDE_COLUMNS, r, strict=True)) for r in cursor.fetchall()]
        if not rows:
            break
        last = rows[-1]["line"]
        _decide_batch(rows, result, current, codes, actor)
        done += len(rows)
        report("record", done, staged)


def _decide_set_based(by, staged: int, result: DoseImport, report: Progress) -> None:
    """PostgreSQL: the same decisions, each batch in a few statements (bulk_decide)."""
    from . import bulk_decide

    bulk_decide.create_tables(policy())
    actor = by.pk if getattr(by, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MIN(line), 0), COALESCE(MAX(line), 0) FROM {STAGE}")
        first, last = cursor.fetchone()
    low, done = first - 1, 0
    while low < last:
        # SET_BATCH staged lines per round, whatever gaps the bad lines left in the numbering.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT line FROM {STAGE} WHERE line > %s ORDER BY line OFFSET %s LIMIT 1",
                [low, SET_BATCH - 1],
            )
            found = cursor.fetchone()
        high = found[0] if found else last
        recorded, queued, unchanged, lines = bulk_decide.decide_batch(
            STAGE, MATCH, WEAK, low, high, actor, _now()
        )
        result.recorded += recorded
        result.queued += queued
        result.unchanged += unchanged
        done += lines
        low = high
        report("record", done, staged)
    bulk_decide.drop_tables()


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
    _copy(values, out, names)
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
