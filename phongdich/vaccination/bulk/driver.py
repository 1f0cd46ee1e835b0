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

from django.db import connection, transaction

from phongdich.audit.services import audit_record
from phongdich.lib import imports
from phongdich.lib.locks import key_lock

from ..imports import MAX_BYTES, MAX_ROWS, DoseImport, columns, row_check
from ..policy import policy
from . import decide, match, rows, stage, tables
from .tables import STAGE

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
                    # The set-based steps hash, group and sort whole rounds of lines: with
                    # the default 4 MB they spill to disk. For this transaction only, and
                    # per sort or hash of its one statement at a time.
                    cursor.execute("SET LOCAL work_mem = '256MB'")
            # Created inside the transaction: a refusal or an error rolls them back too.
            tables.create_tables()
            stream = None
            if kind == "csv" and connection.vendor == "postgresql":
                stream = stage.stage_csv(by, upload, max_rows=max_rows, current=policy())
            if stream is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT COUNT(*) FROM {STAGE}")
                    staged = cursor.fetchone()[0]
                report("read", stream.total, stream.total)
            else:  # XLSX, SQLite, or a CSV the COPY path does not read as the Python one
                stream = imports.TableStream(
                    upload, columns(), kind=kind, max_rows=max_rows, check=row_check(by)
                )
                staged = stage.stage_stream(stream, report)
            result.errors = stream.report
            imports.refuse_if_rows_failed(stream, mode)
            match.match(by, staged, report)
            if connection.vendor == "postgresql":
                decide.decide(by, staged, result, report)
            else:
                rows.decide(by, staged, result, report)
            tables.drop_tables()
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
