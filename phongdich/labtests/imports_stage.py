"""The result import of a UTF-8 CSV on PostgreSQL, set-based (issue 14: 200,000 results at a
fraction of a raw COPY's time), with the line-numbered report of `imports.import_results`'
streamed path:

1. `lib.staging.copy_csv` COPYs the file into a temporary table of text cells.
2. The cells are checked and parsed in SQL (the Column parsers' rules: a code of at most 40
   characters, the result words folded, a Ct of 0–45 with one decimal, the lab's length, a
   d/m/yyyy day from 2020 to today, no Ct for an invalid result). A line SQL does not accept
   goes through the Python checks (`Staged.rows`): its messages, or its values when it is
   good in a form SQL does not read ("2026-12-01", "24.50").
3. Each good line is matched to a sample by its code among the samples of the importer's
   jurisdiction (`selectors.samples_visible_to`, compiled into the query), else to a pool of
   it (`pools_visible_to`); a code matching neither is reported.
4. A line is "plain" when its sample has no result yet, is not rejected, takes the Ct (an
   RT-PCR) and nothing else hangs on it: not positive, no open F0 case of the person and no
   positive of theirs on an earlier line, not a re-sample a pool waits for, not a member of a pool
   whose result is on an earlier line, the first line of its code. The plain lines are one
   guarded UPDATE … FROM per batch of lines (`result = ''`, so a result recorded meanwhile
   is never overwritten: such a line goes to step 5). A line whose sample already has the
   same result is counted unchanged (re-importing a file changes nothing).
5. Every other line (positives, pools, a person's other results, conflicts, rejected
   samples, a later line of the same code) goes through `imports.record_one`, the services
   the page uses, one by one in file order: a positive reaches the F0 app's classification,
   a pool's result marks its members presumptively negative or orders a re-sample per
   member, and faults get the services' own messages. In a screening file they are a few.

Results live on the sample row (`Sample.result`), so the idempotent write is an UPDATE of
rows without a result rather than an INSERT … ON CONFLICT of a result table. The report
lists every bad line in both modes; all or nothing then refuses the file and the caller's
transaction takes every write back."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases.models import OPEN_STATUSES, Case
from phongdich.lib import imports, locks, staging
from phongdich.lib.text import fold

from . import rules, selectors
from .imports import RESULT_WORDS, ResultImport, check, columns, record_one, unknown_code
from .models import Pool, ResampleOrder, Result, ResultFollowUp, Sample
from .services import RESULTS_LOCK

RAW = "labtests_result_stage_raw"
PARSED = "labtests_result_stage_parsed"
MATCHED = "labtests_result_stage_matched"
TABLES = (RAW, PARSED, MATCHED)
LOCK = RESULTS_LOCK  # exclusive here; the API and the pages take it shared
# Lines per guarded UPDATE: bounds one statement's work; bench/labtests_import.py compared
# sizes.
BATCH = 50_000
# The Ct forms SQL reads (at most two digits, one decimal): any other form ("24.50", "1e1")
# goes to Decimal in Python, whose rounding then decides.
CT_FORM = "^[0-9]{1,2}([.,][0-9])?$"


def _sql(queryset) -> tuple[str, list]:
    """A queryset's SQL to embed as a subquery (the scope is the selectors', never a copy)."""
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, list(params)


def _drop() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def import_staged(*, by, upload, mode: str, max_rows: int, outcome: ResultImport) -> bool:
    """Import `upload` into `outcome`; False (nothing done) when lib.staging passes the file
    on to the Python reader. Runs inside the caller's transaction; FileRefused on a refusal."""
    staged = staging.copy_csv(upload, columns(), table=RAW, max_rows=max_rows)
    if staged is None:
        return False
    # No try/finally around the steps: after a failed statement the transaction is aborted
    # and a DROP would hide the error; the tables, made in the caller's transaction, go
    # with its rollback.
    _parse(staged)
    _python_lines(staged)
    # One import at a time from here to the commit. Two imports of overlapping files
    # otherwise each locked the shared samples in their own UPDATE's order, batch after
    # batch, and deadlocked (tests: two overlapping files at once). Now the second waits,
    # then matches after the first's commit: its shared lines count unchanged. The COPY
    # and the cell checks above still run side by side. Locking the rows in id order
    # instead took 2.5 s of 17 at 200,000 lines (a pass writing every row's lock). A result
    # written one at a time (lab API, staff page) takes it shared (services.RESULTS_LOCK): it
    # waits for this import's commit rather than deadlocking with its line-by-line step.
    locks.key_lock(LOCK)
    _match(by)
    faults = _unknown()
    found = _counts()
    outcome.unchanged += found.get("unchanged", 0)
    _write_plain(by)
    if found.get("queue"):
        outcome.queued = _queue(by, outcome.batch)
    outcome.recorded += _count("plain") + outcome.queued
    if found.get("pool"):
        outcome.recorded += _write_pools(by)
    faults += _one_by_one(by, outcome)
    _drop()
    outcome.errors = _merged(staged.report, faults)
    if outcome.errors and mode == imports.ALL_OR_NOTHING:
        # Every write of the file is taken back by the caller's transaction.
        raise imports.FileRefused(_("Tệp có dòng lỗi; không nhập dòng nào."), outcome.errors)
    return True


def _raw(staged: staging.Staged, key: str) -> str:
    """The SQL of column `key`'s cell as COPY stored it ('' for NULL or no such column), the
    column Staged.cell picks (the last of two with the same words)."""
    found = [i for i, c in staged.mapping.items() if c.key == key]
    return f"COALESCE(r.c{found[-1]}, '')" if found else "''"


def _parse(staged: staging.Staged) -> None:
    """The cells checked and parsed in SQL into PARSED, `ok` when the Python parsers would
    accept the line with the same values. The result, Ct, lab and day of a file take a few
    distinct values (one lab, a few days): each is cleaned and parsed once per distinct
    text and joined back (measured: the per-line form took 12 s of 200,000 lines' 60)."""
    words = {fold(k): v for k, v in RESULT_WORDS.items()}
    cases = " ".join("WHEN %s THEN %s" for _ in words)
    word_params = [p for pair in words.items() for p in pair]
    limit = imports.model_max_length
    clean = staging.clean_sql
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {PARSED} AS
            WITH t AS MATERIALIZED (
                SELECT r.n + 1 AS line, {staged.nonempty_sql()} AS nonempty,
                    {staged.cell("barcode")} AS barcode, {_raw(staged, "result")} AS result_r,
                    {_raw(staged, "ct")} AS ct_r, {_raw(staged, "lab")} AS lab_r,
                    {_raw(staged, "day")} AS day_r
                FROM {RAW} r),
            w AS MATERIALIZED (
                SELECT x.raw, x.t AS result_t,
                    CASE WHEN x.t ~ %s AND length(x.t) <= 20
                         THEN CASE {staging.fold_sql("x.t")} {cases} END END AS result
                FROM (SELECT u.raw, {clean("u.raw")} AS t
                      FROM (SELECT DISTINCT result_r AS raw FROM t) u) x),
            c AS MATERIALIZED (
                SELECT x.raw, x.t AS ct_t,
                    CASE WHEN x.t ~ %s THEN replace(x.t, ',', '.')::numeric END AS ct
                FROM (SELECT u.raw, {clean("u.raw")} AS t
                      FROM (SELECT DISTINCT ct_r AS raw FROM t) u) x),
            l AS MATERIALIZED (
                SELECT u.raw, {clean("u.raw")} AS lab FROM (SELECT DISTINCT lab_r AS raw FROM t) u),
            d AS MATERIALIZED (
                SELECT x.raw, x.t AS day_t, {staging.date_sql("x.t")} AS day
                FROM (SELECT u.raw, {clean("u.raw")} AS t
                      FROM (SELECT DISTINCT day_r AS raw FROM t) u) x)
            SELECT t.line, t.nonempty, t.barcode, w.result, c.ct, l.lab, d.day, COALESCE(
                t.barcode <> '' AND length(t.barcode) <= %s
                AND w.result IS NOT NULL
                AND (c.ct_t = '' OR c.ct <= %s) AND NOT (c.ct_t <> '' AND w.result = %s)
                AND length(l.lab) <= %s
                AND (d.day_t = '' OR d.day BETWEEN '2020-01-01' AND %s), false) AS ok
            FROM t JOIN w ON w.raw = t.result_r JOIN c ON c.raw = t.ct_r
                JOIN l ON l.raw = t.lab_r JOIN d ON d.raw = t.day_r""",
            [
                staging.SAFE_TEXT,
                *word_params,
                CT_FORM,
                limit(Sample, "barcode"),
                rules.CT_MAX,
                rules.INVALID,
                limit(Sample, "lab"),
                timezone.localdate(),
            ],
        )


def _python_lines(staged: staging.Staged) -> None:
    """The lines SQL did not accept through the Python checks: faults to the report, good
    lines (forms SQL does not read) written back into PARSED with the Python values."""
    good = [
        (
            row.values["barcode"],
            row.values["result"],
            row.values["ct"],
            row.values["lab"],
            row.values["day"],
            row.line,
        )
        for row in staged.rows(f"SELECT line FROM {PARSED} WHERE nonempty AND NOT ok", check)
    ]
    with connection.cursor() as cursor:
        if good:
            cursor.execute(f"CREATE INDEX ON {PARSED} (line)")  # one probe per line written
            cursor.executemany(
                f"""UPDATE {PARSED} SET barcode = %s, result = %s, ct = %s, lab = %s,
                    day = %s, ok = true WHERE line = %s""",
                good,
            )
        cursor.execute(f"DROP TABLE {RAW}")  # the file's copy: not needed past this point


def _match(by) -> None:
    """MATCHED: every good line with its sample (or pool) in the importer's jurisdiction and
    what becomes of it (`what`: unknown, unchanged, plain or one)."""
    samples, sample_params = _sql(
        selectors.samples_visible_to(by).values(
            "id", "barcode", "result", "status", "kind", "person_id", "pool_id", "province"
        )
    )
    pools, pool_params = _sql(
        selectors.pools_visible_to(by).values("id", "code", "status", "result", "kind")
    )
    cases, case_params = _sql(Case.objects.filter(status__in=OPEN_STATUSES).values("person_id"))
    awaited, awaited_params = _sql(
        ResampleOrder.objects.filter(new_sample__isnull=False).values("new_sample_id")
    )
    waiting, waiting_params = _sql(
        ResultFollowUp.objects.filter(done_at__isnull=True).values("person_id")
    )
    now = timezone.now()
    zone = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {PARSED}")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {MATCHED} AS
            SELECT m.*, CASE
                WHEN m.sample_id IS NULL AND m.pool_id IS NULL THEN 'unknown'
                WHEN m.occurrence > 1 THEN 'one'
                WHEN m.sample_id IS NULL THEN CASE
                    WHEN m.pool_status = %s AND m.pool_result = ''
                        AND (m.ct IS NULL OR m.pool_kind = %s) THEN 'pool'
                    ELSE 'one' END
                WHEN m.status = %s OR (m.ct IS NOT NULL AND m.kind <> %s) THEN 'one'
                WHEN m.had <> '' THEN CASE WHEN m.had = m.result THEN 'unchanged' ELSE 'one' END
                WHEN m.result = %s THEN 'queue'
                ELSE 'plain' END AS what
            FROM (
                SELECT p.line, p.barcode, p.result, p.ct, p.lab,
                    CASE WHEN p.day IS NULL THEN %s::timestamptz
                         ELSE (p.day + time '12:00') AT TIME ZONE %s END AS resulted_at,
                    s.id AS sample_id, s.province, s.result AS had, s.status, s.kind,
                    s.person_id,
                    s.pool_id AS member_of, q.id AS pool_id, q.status AS pool_status,
                    q.result AS pool_result, q.kind AS pool_kind,
                    row_number() OVER (PARTITION BY p.barcode ORDER BY p.line) AS occurrence
                FROM {PARSED} p
                LEFT JOIN ({samples}) s ON s.barcode = p.barcode
                LEFT JOIN ({pools}) q ON q.code = p.barcode AND s.id IS NULL
                WHERE p.ok AND p.nonempty) m""",
            [
                Pool.Status.OPEN,
                rules.PCR,
                Sample.Status.REJECTED,
                rules.PCR,
                Result.POSITIVE,
                now,
                zone,
                *sample_params,
                *pool_params,
            ],
        )
        cursor.execute(f"CREATE INDEX ON {MATCHED} (line)")
        cursor.execute(f"ANALYZE {MATCHED}")
        # A result the F0 app or a pool hangs on is written with the plain ones and queued
        # for the worker (ResultFollowUp, applied after the commit in line order): a
        # positive, the person's open case, a positive of theirs on an earlier line, one of
        # theirs still waiting in the queue, a pool waiting for this re-sample. A member of
        # a pool resulted on an earlier line goes through the services (the pool's
        # presumptive negative comes first). One statement each, as a join: a correlated
        # EXISTS under an OR is run per row (minutes at 200,000 lines).
        first_positive = f"""SELECT person_id AS id, MIN(line) AS line FROM {MATCHED}
            WHERE result = %s AND sample_id IS NOT NULL GROUP BY person_id"""
        cursor.execute(
            f"""UPDATE {MATCHED} m SET what = 'queue' FROM ({first_positive}) f
            WHERE m.what = 'plain' AND m.person_id = f.id AND m.line > f.line""",
            [Result.POSITIVE],
        )
        for subquery, params in ((cases, case_params), (waiting, waiting_params)):
            cursor.execute(
                f"""UPDATE {MATCHED} m SET what = 'queue' WHERE m.what = 'plain'
                AND m.person_id IN ({subquery})""",
                params,
            )
        cursor.execute(
            f"""UPDATE {MATCHED} m SET what = 'queue' WHERE m.what = 'plain'
            AND m.sample_id IN ({awaited})""",
            awaited_params,
        )
        first_pool = f"""SELECT pool_id AS id, MIN(line) AS line FROM {MATCHED}
            WHERE pool_id IS NOT NULL GROUP BY pool_id"""
        cursor.execute(
            f"""UPDATE {MATCHED} m SET what = 'one' FROM ({first_pool}) f
            WHERE m.what IN ('plain', 'queue') AND m.member_of = f.id AND m.line > f.line"""
        )


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT what, COUNT(*) FROM {MATCHED} GROUP BY what")
        return dict(cursor.fetchall())


def _count(what: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {MATCHED} WHERE what = %s", [what])
        return cursor.fetchone()[0]


def _unknown() -> list[tuple[int, list[str]]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT line, barcode FROM {MATCHED} WHERE what = 'unknown' ORDER BY line")
        return [(line, [unknown_code(code)]) for line, code in cursor.fetchall()]


def _write_plain(by) -> None:
    """The plain lines, one guarded UPDATE per batch of lines. A line whose sample got a
    result meanwhile (another officer, the lab's API) is not written here: it becomes a line
    for the services, which find the result and report a conflict or count it unchanged."""
    user = by.pk if getattr(by, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(line), MAX(line) FROM {MATCHED} WHERE what IN ('plain', 'queue')"
        )
        first, last = cursor.fetchone()
        if first is None:
            return
        for start in range(first, last + 1, BATCH):
            _write_batch(cursor, user, start, start + BATCH)


def _write_batch(cursor, user, start: int, stop: int) -> None:
    """The plain lines from `start` to before `stop`: one statement."""
    table = Sample._meta.db_table
    cursor.execute(
        f"""WITH done AS (
            UPDATE {table} s SET result = m.result, lab = m.lab, ct_value = m.ct,
                resulted_at = m.resulted_at, resulted_by_id = %s, status = %s,
                presumptive = false
            FROM {MATCHED} m
            WHERE m.what IN ('plain', 'queue') AND m.line >= %s AND m.line < %s
                AND s.id = m.sample_id AND s.province = m.province
                AND s.result = '' AND s.status <> %s
            RETURNING m.line)
        UPDATE {MATCHED} m SET what = 'one'
        WHERE m.what IN ('plain', 'queue') AND m.line >= %s AND m.line < %s
            AND m.line NOT IN (SELECT line FROM done)""",
        [
            user,
            Sample.Status.RESULTED,
            start,
            stop,
            Sample.Status.REJECTED,
            start,
            stop,
        ],
    )


def _queue(by, batch: str) -> int:
    """The written lines something hangs on, one follow-up row each in line order (the
    worker applies them in id order after the commit): one INSERT … SELECT."""
    user = by.pk if getattr(by, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {ResultFollowUp._meta.db_table}
                (sample_id, person_id, by_id, batch, line, created_at, attempts, error)
            SELECT m.sample_id, m.person_id, %s, %s, m.line, %s, 0, ''
            FROM {MATCHED} m WHERE m.what = 'queue' ORDER BY m.line""",
            [user, batch, timezone.now()],
        )
        return cursor.rowcount


def _write_pools(by) -> int:
    """The pools' lines (first of their code, the pool open and without a result)
    set-based, as `services.pool_result_record` does one at a time: the pool's result by a
    guarded UPDATE (`status = open AND result = ''`: a pool resulted meanwhile, or one
    without members, goes to the services for their message); a negative makes its
    members presumptively negative (one UPDATE); a positive or invalid one orders a
    re-sample of each member, routed to the commune where they live (one INSERT … SELECT,
    the unique pooled sample making it once); an audit event per pool (one bulk insert).
    The count of pools recorded."""
    from phongdich.audit.models import AuditEvent
    from phongdich.audit.services import audit_event
    from phongdich.people.models import Person

    user = by.pk if getattr(by, "is_authenticated", False) else None
    outcomes = {r: rules.pool_outcome(r) for r in Result.values}
    status_cases = " ".join("WHEN %s THEN %s" for _ in outcomes)
    status_params = [p for r, o in outcomes.items() for p in (r, o.status)]
    negative = [r for r, o in outcomes.items() if o.members_negative]
    resample = [r for r, o in outcomes.items() if o.resample_members]
    pool_table, sample_table = Pool._meta.db_table, Sample._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH won AS (
                UPDATE {pool_table} p SET status = CASE m.result {status_cases} END,
                    result = m.result, ct_value = m.ct, lab = m.lab,
                    resulted_at = m.resulted_at
                FROM {MATCHED} m
                WHERE m.what = 'pool' AND p.id = m.pool_id AND p.status = %s
                    AND p.result = ''
                    AND EXISTS (SELECT 1 FROM {sample_table} s WHERE s.pool_id = p.id)
                RETURNING m.line)
            UPDATE {MATCHED} m SET what = 'one'
            WHERE m.what = 'pool' AND m.line NOT IN (SELECT line FROM won)""",
            [*status_params, Pool.Status.OPEN],
        )
        cursor.execute(
            f"""UPDATE {sample_table} s SET result = %s, presumptive = true, lab = m.lab,
                resulted_at = m.resulted_at, resulted_by_id = %s, status = %s
            FROM {MATCHED} m
            WHERE m.what = 'pool' AND m.result = ANY(%s) AND s.pool_id = m.pool_id
                AND s.result = '' AND s.status <> %s""",
            [Result.NEGATIVE, user, Sample.Status.RESULTED, negative, Sample.Status.REJECTED],
        )
        cursor.execute(
            f"""INSERT INTO {ResampleOrder._meta.db_table}
                (pooled_sample_id, pool_id, person_id, commune_id, status, created_at)
            SELECT s.id, s.pool_id, s.person_id, COALESCE(pe.commune_id, s.commune_id), %s, %s
            FROM {MATCHED} m
            JOIN {sample_table} s ON s.pool_id = m.pool_id
            JOIN {Person._meta.db_table} pe ON pe.id = s.person_id
            WHERE m.what = 'pool' AND m.result = ANY(%s)
                AND s.result = '' AND s.status <> %s
            ORDER BY s.pool_id, s.id
            ON CONFLICT (pooled_sample_id) DO NOTHING""",
            [ResampleOrder.Status.OPEN, timezone.now(), resample, Sample.Status.REJECTED],
        )
        cursor.execute(f"SELECT pool_id, result FROM {MATCHED} WHERE what = 'pool'")
        won = dict(cursor.fetchall())
    if not won:
        return 0
    pools = Pool.objects.filter(pk__in=won).annotate(n=Count("members"))
    AuditEvent.objects.bulk_create(
        [
            audit_event(
                actor=by,
                action="labtests.pool_result",
                target=pool,
                changes={"code": pool.code, "result": won[pool.pk], "members": pool.n},
            )
            for pool in pools
        ],
        batch_size=1000,
    )
    return len(won)


def _one_by_one(by, outcome: ResultImport) -> list[tuple[int, list[str]]]:
    """The remaining lines through the services in file order, each in its savepoint."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT m.line, m.barcode, m.result, m.ct, m.lab, p.day
            FROM {MATCHED} m JOIN {PARSED} p ON p.line = m.line
            WHERE m.what = 'one' ORDER BY m.line"""
        )
        lines = cursor.fetchall()
    faults = []
    for line, barcode, result, ct, lab, day in lines:
        values = {"barcode": barcode, "result": result, "ct": ct, "lab": lab, "day": day}
        try:
            with transaction.atomic():
                created = record_one(by, values)
        except (DatabaseError, ValidationError) as exc:
            faults.append((line, imports._reason(exc)))
            continue
        if created:
            outcome.recorded += 1
        else:
            outcome.unchanged += 1
    return faults


def _merged(report: imports.ErrorReport, faults) -> imports.ErrorReport:
    """The cell faults (the first `limit` kept, in file order) and the matching and writing
    faults as one report in line order."""
    merged = imports.ErrorReport(limit=report.limit)
    entries = sorted(
        [(e["line"], e["errors"]) for e in report.entries] + list(faults), key=lambda e: e[0]
    )
    for line, messages in entries:
        merged.add(line, messages)
    merged.total = report.total + len(faults)
    return merged
