"""Step 3 of the bulk import on PostgreSQL: the decisions set-based, one batch of lines
at a time, exactly as the per-row path decides them in file order.

Python deciding row by row (`bulk._decide_batch`, still SQLite's path) held the batch's
rows as dicts and ran `rules.violations` on every dose: about half of the import's time.
Here each batch is a handful of statements:

- the lines with what decides them (match, source id or day already recorded) go into a
  temporary table;
- the in-file duplicates are settled: a line whose keys (source id, person + dose number +
  day, identity + dose number + day) no other candidate line of the batch shares is decided
  directly; the few that share a key are decided in Python, in file order, on their keys
  alone (the rules of `_decide_batch`: a dose line never depends on a queued line, a queued
  line on the doses before it);
- the flags of the recorded doses are `rules.violations` written in SQL over the person's
  doses (on record, then the batch's earlier lines), with the active policy rows copied
  into temporary tables, so the rules' values stay those `policy()` reads;
- one INSERT … SELECT … ON CONFLICT DO NOTHING for the doses, one for the reviews.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .. import person_status, rules
from ..models import Dose, DoseReview, Source, VaccineProduct
from ..policy import policy
from . import tables
from .tables import MATCH, STAGE, WEAK

BATCH_TABLE = "vaccination_dose_stage_batch"
FACTS = "vaccination_dose_stage_facts"
P_PRODUCTS = "vaccination_dose_stage_products"
P_INTERVALS = "vaccination_dose_stage_intervals"
P_ELIGIBILITY = "vaccination_dose_stage_eligibility"
P_MIXES = "vaccination_dose_stage_mixes"
TABLES = (BATCH_TABLE, FACTS, P_PRODUCTS, P_INTERVALS, P_ELIGIBILITY, P_MIXES)

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a unique key refusing a row

# Outcomes of a line in BATCH_TABLE.
PENDING, RECORD, QUEUE, UNCHANGED = 0, 1, 2, 3


def create_tables(current: rules.Policy) -> None:
    """The batch table and the active policy rows (the values `policy()` read)."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {BATCH_TABLE} (
                line integer PRIMARY KEY, person_id integer NULL, strong integer NOT NULL,
                weak boolean NOT NULL, src_dose boolean NOT NULL, same_dose boolean NOT NULL,
                src_review boolean NOT NULL, same_review boolean NOT NULL,
                code text NOT NULL, outcome integer NOT NULL DEFAULT 0)"""
        )
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {FACTS} (person_id integer NOT NULL, ord bigint NOT NULL,
                product text NOT NULL, dose_number integer NOT NULL, kind text NOT NULL,
                given_on date NOT NULL)"""
        )
        # The whole order of the previous-dose probe (_flags' LATERAL … ORDER BY … LIMIT 1),
        # so it reads one index entry backwards instead of sorting each person's doses.
        cursor.execute(f"CREATE INDEX ON {FACTS} (person_id, dose_number, given_on, ord)")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {P_INTERVALS} (ord integer, dose_number integer,
                kind text, valid_from date, product text, min_age integer, max_age integer,
                min_days integer)"""
        )
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {P_ELIGIBILITY} (valid_from date, product text,
                min_age integer, max_age integer)"""
        )
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {P_MIXES} (first_code text, then_code text, dose_number integer,
                valid_from date, min_age integer)"""
        )
        rows = [
            (i, r.dose_number, r.kind, r.valid_from, r.product, r.min_age, r.max_age, r.min_days)
            for i, r in enumerate(current.intervals)
        ]
        _copy(cursor, P_INTERVALS, rows)
        _copy(
            cursor,
            P_ELIGIBILITY,
            [(r.valid_from, r.product, r.min_age, r.max_age) for r in current.eligibility],
        )
        _copy(
            cursor,
            P_MIXES,
            [(m.first, m.then, m.dose_number, m.valid_from, m.min_age) for m in current.mixes],
        )


def _copy(cursor, table: str, rows: list[tuple]) -> None:
    with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def drop_tables() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _fill_sql(stage: str, match: str, weak: str) -> str:
    """The batch's lines with what decides them (bulk._decide_sql's joins: each probes a
    unique key, so at most one row each), and every outcome that needs no file order:

    - a source id already recorded as a dose: unchanged, whatever the match;
    - a strong match (a dose line): unchanged when its person + dose number + day is on
      record; recorded when no other dose line of the batch shares its source id or its
      person + dose number + day (nearly every line); PENDING otherwise, for _settle;
    - any other line (a queued line): unchanged when the review queue holds its source id
      or identity + dose number + day; PENDING otherwise, for _settle.

    Decided here rather than by UPDATEs of the batch table afterwards: those rewrote every
    row of the batch and joined it to the staging table again (a fifth of the import's
    CPU outside the dose INSERT). The partitions compare the source id byte for byte
    (COLLATE "C": the same groups as the default collation's equality, without strcoll)."""
    dose, review = Dose._meta.db_table, DoseReview._meta.db_table
    product = VaccineProduct._meta.db_table
    candidate = "j.candidate"
    by_source = f"COUNT(*) FILTER (WHERE {candidate}) OVER (PARTITION BY j.source_id)"
    by_day = (
        f"COUNT(*) FILTER (WHERE {candidate}) "
        "OVER (PARTITION BY j.person_id, j.dose_number, j.given_on)"
    )
    return f"""INSERT INTO {BATCH_TABLE} (line, person_id, strong, weak, src_dose, same_dose,
        src_review, same_review, code, outcome)
    SELECT j.line, j.person_id, j.strong, j.weak, j.src_dose, j.same_dose, j.src_review,
        j.same_review, j.code,
        CASE WHEN j.src_dose THEN {UNCHANGED}
             WHEN j.strong = 1 AND j.same_dose THEN {UNCHANGED}
             WHEN j.strong = 1 THEN
                 CASE WHEN (j.source_id = '' OR {by_source} = 1) AND {by_day} = 1
                      THEN {RECORD} ELSE {PENDING} END
             WHEN j.src_review OR j.same_review THEN {UNCHANGED}
             ELSE {PENDING} END
    FROM (
        SELECT s.line, s.source_id COLLATE "C" AS source_id, s.dose_number, s.given_on,
            m.person_id, COALESCE(m.strong, 0) AS strong, w.line IS NOT NULL AS weak,
            ds.id IS NOT NULL AS src_dose, dd.id IS NOT NULL AS same_dose,
            rs.id IS NOT NULL AS src_review, rd.id IS NOT NULL AS same_review, vp.code,
            m.strong = 1 AND ds.id IS NULL AND dd.id IS NULL AS candidate
        FROM {stage} s
        JOIN {product} vp ON vp.id = s.product_id
        LEFT JOIN {match} m ON m.line = s.line
        LEFT JOIN {weak} w ON w.line = s.line
        LEFT JOIN {dose} ds ON s.source_id <> '' AND ds.source_id <> ''
            AND ds.source = %(source)s AND ds.source_id = s.source_id
        LEFT JOIN {dose} dd ON m.strong = 1 AND dd.person_id = m.person_id
            AND dd.dose_number = s.dose_number AND dd.given_on = s.given_on
        LEFT JOIN {review} rs ON s.source_id <> '' AND rs.source_id <> ''
            AND rs.source = %(source)s AND rs.source_id = s.source_id
        LEFT JOIN {review} rd ON s.identity_key <> '' AND rd.identity_key = s.identity_key
            AND rd.dose_number = s.dose_number AND rd.given_on = s.given_on
        WHERE s.line > %(low)s AND s.line <= %(high)s
        OFFSET 0) j"""


def _settle(cursor, stage: str) -> None:
    """Decide the lines _fill_sql left PENDING, in file order: the dose lines sharing a
    key with another, then the queued lines (RECORD, QUEUE or UNCHANGED)."""
    b = BATCH_TABLE
    cursor.execute(
        f"""SELECT b.line, s.source_id, b.person_id, s.dose_number, s.given_on
        FROM {b} b JOIN {stage} s ON s.line = b.line
        WHERE b.outcome = {PENDING} AND b.strong = 1 ORDER BY b.line"""
    )
    _in_order(cursor, cursor.fetchall(), RECORD)
    # Queued lines (the only PENDING ones left, a few in a hundred): unchanged when an
    # earlier recorded dose line has the source id. The queued lines are taken first, so
    # the join reads the staging table once for them, not once per recorded line.
    cursor.execute(
        f"""UPDATE {b} SET outcome = {UNCHANGED} FROM (
            SELECT q.line FROM {b} q JOIN {stage} qs ON qs.line = q.line
            WHERE q.outcome = {PENDING} AND qs.source_id <> ''
              AND EXISTS (SELECT 1 FROM {stage} rs JOIN {b} r ON r.line = rs.line
                          WHERE rs.source_id = qs.source_id AND r.outcome = {RECORD}
                            AND r.line < q.line)
            ) taken
        WHERE {b}.line = taken.line"""
    )
    cursor.execute(
        f"""WITH c AS (
            SELECT b.line,
                CASE WHEN s.source_id = '' THEN 1
                     ELSE COUNT(*) OVER (PARTITION BY s.source_id) END AS by_source,
                COUNT(*) OVER (PARTITION BY s.identity_key, s.dose_number, s.given_on) AS by_day
            FROM {b} b JOIN {stage} s ON s.line = b.line
            WHERE b.outcome = {PENDING})
        UPDATE {b} SET outcome = {QUEUE} FROM c
        WHERE {b}.line = c.line AND c.by_source = 1 AND c.by_day = 1"""
    )
    cursor.execute(
        f"""SELECT b.line, s.source_id, s.identity_key, s.dose_number, s.given_on
        FROM {b} b JOIN {stage} s ON s.line = b.line
        WHERE b.outcome = {PENDING} ORDER BY b.line"""
    )
    _in_order(cursor, cursor.fetchall(), QUEUE)


def _in_order(cursor, rows: list[tuple], outcome: int) -> None:
    """Lines sharing a key with another candidate, in file order: the first of each key
    wins (a line that lost does not hold its other key)."""
    sources, days, won, lost = set(), set(), [], []
    for line, source_id, who, number, day in rows:
        if (source_id and source_id in sources) or (who, number, day) in days:
            lost.append(line)
            continue
        won.append(line)
        days.add((who, number, day))
        if source_id:
            sources.add(source_id)
    for lines, value in ((won, outcome), (lost, UNCHANGED)):
        if lines:
            cursor.execute(
                f"UPDATE {BATCH_TABLE} SET outcome = %s WHERE line = ANY(%s)", [value, lines]
            )


def _in_band(age: str, low: str, high: str) -> str:
    """rules._in_band as SQL: an unknown age breaks no age rule."""
    return f"({age} IS NULL OR (({low} IS NULL OR {age} >= {low}) AND ({high} IS NULL OR {age} < {high})))"


def _flags(cursor, stage: str) -> tuple[str, str, dict]:
    """rules.violations of every recorded line, against the person's doses on record (in
    Dose's order) and the batch's earlier recorded lines: fills FACTS and returns the WITH
    whose `z` holds every recorded line with its stage columns, the SQL of its flags over
    `z`, and their parameters. The doses' INSERT reads `z` itself: writing the flags into
    the batch table first cost a rewrite of every row and a probe of its key per line."""
    b, person = BATCH_TABLE, "people_person"
    dose, product = Dose._meta.db_table, VaccineProduct._meta.db_table
    cursor.execute(f"TRUNCATE {FACTS}")
    cursor.execute(
        f"""INSERT INTO {FACTS} (person_id, ord, product, dose_number, kind, given_on)
        SELECT d.person_id,
            ROW_NUMBER() OVER (PARTITION BY d.person_id
                               ORDER BY d.given_on, d.dose_number, d.id),
            vp.code, d.dose_number, d.kind, d.given_on
        FROM {dose} d JOIN {product} vp ON vp.id = d.product_id
        WHERE d.person_id IN (SELECT person_id FROM {b} WHERE outcome = {RECORD})
        UNION ALL
        SELECT b.person_id, 1000000000 + b.line, b.code, s.dose_number, s.kind, s.given_on
        FROM {b} b JOIN {stage} s ON s.line = b.line WHERE b.outcome = {RECORD}"""
    )
    cursor.execute(f"ANALYZE {FACTS}")
    age = "x.age"
    # The age in whole years as rules.age_on gives it, with date_part (a float) rather than
    # EXTRACT (a numeric since PostgreSQL 14: several times slower, five calls a line).
    # "OFFSET 0" in x, y and z: each is read once, so the planner would inline it into the
    # next and compute the age in every rule that reads it, and the interval's subquery
    # in each of the three tests of min_days; kept apart, each is computed once a line.
    with_sql = f"""WITH x AS (
            SELECT b.line, b.person_id, b.code, s.dose_number AS n, s.kind, s.given_on AS day,
                s.product_id, s.site_name, s.lot, s.source_id, p.province,
                CASE WHEN p.birth_date IS NOT NULL THEN
                    date_part('year', s.given_on)::int - date_part('year', p.birth_date)::int
                    - CASE WHEN date_part('month', s.given_on) * 100 + date_part('day', s.given_on)
                              < date_part('month', p.birth_date) * 100
                                + date_part('day', p.birth_date)
                           THEN 1 ELSE 0 END
                WHEN p.birth_year IS NOT NULL THEN
                    date_part('year', s.given_on)::int - p.birth_year
                END AS age
            FROM {b} b JOIN {stage} s ON s.line = b.line JOIN {person} p ON p.id = b.person_id
            WHERE b.outcome = {RECORD} OFFSET 0),
        y AS (
            SELECT x.*,
                EXISTS (SELECT 1 FROM {FACTS} o WHERE o.person_id = x.person_id
                        AND o.ord < 1000000000 + x.line AND o.dose_number = x.n) AS twice,
                EXISTS (SELECT 1 FROM {P_ELIGIBILITY} e WHERE e.valid_from <= x.day
                        AND {_in_band(age, "e.min_age", "e.max_age")}
                        AND (e.product = '' OR e.product = x.code)) AS eligible,
                prev.product AS prev_product, prev.dose_number AS prev_n,
                prev.kind AS prev_kind, prev.given_on AS prev_day
            FROM x LEFT JOIN LATERAL (
                SELECT o.product, o.dose_number, o.kind, o.given_on FROM {FACTS} o
                WHERE o.person_id = x.person_id AND o.ord < 1000000000 + x.line
                  AND o.dose_number < x.n
                ORDER BY o.dose_number DESC, o.given_on DESC, o.ord DESC LIMIT 1) prev ON true
            OFFSET 0),
        z AS (
            SELECT y.*, (
                SELECT r.min_days FROM {P_INTERVALS} r
                WHERE y.prev_n IS NOT NULL AND r.dose_number = y.n AND r.kind = y.kind
                  AND r.valid_from <= y.day AND r.product IN ('', y.prev_product)
                  AND {_in_band("y.age", "r.min_age", "r.max_age")}
                ORDER BY (r.product <> '') DESC, r.valid_from DESC, r.ord LIMIT 1
            ) AS min_days
            FROM y OFFSET 0)"""
    flags_sql = f"""CONCAT_WS(',',
            CASE WHEN z.twice THEN %(twice)s END,
            CASE WHEN (z.n = 1 OR z.kind = %(primary)s) AND NOT z.eligible THEN %(age)s END,
            CASE WHEN z.n > 1 AND (z.prev_n IS NULL OR z.prev_n <> z.n - 1) THEN %(missing)s END,
            CASE WHEN z.prev_n IS NOT NULL AND z.min_days IS NULL AND z.kind = %(booster)s
                 THEN %(age)s
                 WHEN z.prev_n IS NOT NULL AND z.min_days IS NOT NULL
                      AND z.day < z.prev_day + z.min_days THEN %(short)s END,
            CASE WHEN z.prev_n IS NOT NULL AND z.kind = %(primary)s
                      AND z.prev_kind = %(primary)s AND z.prev_product <> z.code
                      AND NOT EXISTS (
                          SELECT 1 FROM {P_MIXES} m WHERE m.first_code = z.prev_product
                          AND m.then_code = z.code AND m.dose_number = z.n AND m.valid_from <= z.day
                          AND {_in_band("z.age", "m.min_age", "NULL")})
                 THEN %(mix)s END)"""
    return (
        with_sql,
        flags_sql,
        {
            "twice": rules.SAME_DOSE_TWICE,
            "age": rules.AGE_NOT_ELIGIBLE,
            "missing": rules.PREVIOUS_MISSING,
            "short": rules.INTERVAL_SHORT,
            "mix": rules.MIX_NOT_LISTED,
            "primary": rules.PRIMARY,
            "booster": rules.BOOSTER,
        },
    )


def decide_batch(stage: str, match: str, weak: str, low: int, high: int, actor, now) -> tuple:
    """Decide and write lines low < line <= high; return (recorded, queued, unchanged, lines)."""
    b = BATCH_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {b}")
        cursor.execute(
            _fill_sql(stage, match, weak), {"source": Source.IMPORTED, "low": low, "high": high}
        )
        lines = cursor.rowcount
        if not lines:
            return 0, 0, 0, 0
        # Figures for every statement below, taken once: the fill has already set nearly
        # every outcome (_settle changes a few lines in a hundred). Without them
        # "outcome = RECORD" was planned as one row, and the PersonStatus refresh's GROUP
        # BY over the round's doses ran once per person under a nested loop (quadratic:
        # over two minutes at 200,000 lines instead of about a second).
        cursor.execute(f"ANALYZE {b}")
        # The round's own lines of the staging table, for every statement below: joined to
        # the whole table, each of them read all of it once a round (a seq scan of the
        # file per statement and round: what made a line cost more the larger the file).
        stage = f"(SELECT * FROM {stage} WHERE line > {int(low)} AND line <= {int(high)})"
        _settle(cursor, stage)
        with_sql, flags_sql, flag_params = _flags(cursor, stage)
        common = (
            "s.product_id, s.dose_number, s.kind, s.given_on, 'fixed', s.site_name, s.lot, "
            "%(source)s, s.source_id, %(actor)s, %(now)s"
        )
        fields = (
            "product_id, dose_number, kind, given_on, site_kind, site_name, lot, source, "
            "source_id, recorded_by_id, created_at"
        )
        params = {"source": Source.IMPORTED, "actor": actor, "now": now}
        # The province code written here, the person's (migration 0014: the row trigger
        # fills only an empty code, one statement trigger checks them all): a PL/pgSQL
        # call and a read of the person per dose cost a third of this INSERT.
        insert = f"""{with_sql}
            INSERT INTO {Dose._meta.db_table} ({fields}, person_id, flags, province)
            SELECT z.product_id, z.n, z.kind, z.day, 'fixed', z.site_name, z.lot,
                %(source)s, z.source_id, %(actor)s, %(now)s, z.person_id, {flags_sql},
                z.province
            FROM z ORDER BY z.line"""
        recorded = _insert_optimistic(cursor, insert, {**params, **flag_params})
        # The one place the batch's people get their coverage status recomputed.
        person_status.refresh_people_where(f"SELECT person_id FROM {b} WHERE outcome = {RECORD}")
        cursor.execute(
            f"""INSERT INTO {DoseReview._meta.db_table} ({fields}, full_name, birth_date,
                birth_year, sex, phone, id_number, commune_id, identity_key, reason, status,
                unlink_reason)
            SELECT {common}, s.full_name, s.birth_date, s.birth_year, s.sex, s.phone,
                s.id_number, s.commune_id, s.identity_key,
                CASE WHEN b.strong > 1 THEN %(conflict)s WHEN b.weak THEN %(weak)s
                     ELSE %(nobody)s END,
                %(open)s, ''
            FROM {b} b JOIN {stage} s ON s.line = b.line
            WHERE b.outcome = {QUEUE} ORDER BY b.line ON CONFLICT DO NOTHING""",
            {
                **params,
                "conflict": DoseReview.Reason.CONFLICT,
                "weak": DoseReview.Reason.WEAK,
                "nobody": DoseReview.Reason.NO_MATCH,
                "open": DoseReview.Status.OPEN,
            },
        )
        queued = cursor.rowcount
    return recorded, queued, lines - recorded - queued, lines


def _insert_optimistic(cursor, insert: str, params: dict) -> int:
    """Run `insert` (an INSERT … SELECT) and return its row count, never writing a second
    copy of a dose a concurrent writer (the form, the API) recorded meanwhile.

    The lines were decided against the doses on record, so a conflict here is rare (a
    write committed between the decision and this statement). ON CONFLICT DO NOTHING
    probes every unique index before each row and inserts it speculatively: measured at
    about a third of this statement's CPU. So the plain INSERT first, in a savepoint: the
    unique keys still refuse a duplicate (waiting for an uncommitted writer of the same
    key, as ON CONFLICT does); on that refusal the savepoint is rolled back and the same
    rows go in with ON CONFLICT DO NOTHING, which skips exactly the doses already there."""
    try:
        with transaction.atomic():
            cursor.execute(insert, params)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        cursor.execute(f"{insert} ON CONFLICT DO NOTHING", params)
    return cursor.rowcount


def decide(by, staged: int, result, report) -> None:
    """Decide the staged lines in file order, tables.SET_BATCH lines a round."""
    create_tables(policy())
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
                [low, tables.SET_BATCH - 1],
            )
            found = cursor.fetchone()
        high = found[0] if found else last
        recorded, queued, unchanged, lines = decide_batch(
            STAGE, MATCH, WEAK, low, high, actor, _now()
        )
        result.recorded += recorded
        result.queued += queued
        result.unchanged += unchanged
        done += lines
        low = high
        report("record", done, staged)
    drop_tables()


def _now():
    return connection.ops.adapt_datetimefield_value(timezone.now())
