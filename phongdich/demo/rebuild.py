"""Drop a table's secondary indexes and its unique and foreign-key constraints for a bulk
load, and put every one of them back, checked, before the load's transaction commits.

Where the people load's time went (bench/README.md, 06/12/2026): besides the index builds,
the COPY itself maintained the unique CCCD index row by row (random keys, a B-tree insert
each) and queued two deferred foreign-key events per row, which then ran one SPI query
and a row lock on the commune each: 7.3 million of them at scale 1. Dropping those
constraints for the load and adding them back afterwards does the same checks set-based:

- `ADD CONSTRAINT … UNIQUE` builds the index by one sort and refuses a duplicate CCCD;
- `ADD CONSTRAINT … FOREIGN KEY` checks every row by one anti-join (PostgreSQL's initial
  check) and refuses a row whose commune does not exist;
- the plain indexes are built over the loaded rows, with PostgreSQL's parallel workers.

Nothing is weaker once the transaction commits: the same definitions (read back with
`pg_get_constraintdef`/`pg_indexes`, so the names and DEFERRABLE clauses are unchanged)
are in force, and they have been checked against every row. Inside the transaction the
table is locked ACCESS EXCLUSIVE from the first DROP, so no other session sees it without
them; a failure rolls every drop back.

The primary key goes too when the table is empty as the load starts (the demo's load, the
bench's), with the other tables' foreign keys that hang on it: upkept row by row its index
cost the COPY 0.6-0.7 backend CPU-s and 3-4 s of wall time a million rows (bench/README.md,
07/12/2026), against one sorted build of 0.2-0.3 CPU-s. The identity keeps handing out the
ids; `ADD PRIMARY KEY` proves them unique and not null. Every referencing key comes back
with its definition and is checked again against its table: with no person before the
load no row of theirs can name one, so each check reads only NULLs, and a table that does
hold rows is re-read in full, which is why a load into a table with rows keeps the key.

Several connections cannot build the indexes side by side here: the rows are not
committed, and the lock is exclusive. The parallelism is PostgreSQL's own: each build's
sort is shared with `max_parallel_maintenance_workers` workers of the same transaction.
"""

import time

from django.db import connection

# Each build's sort in memory: the largest (the matching and search keys, ~3.6 million
# entries of 20-60 bytes) fits without a spill to disk, split over leader and workers.
MAINTENANCE_WORK_MEM = "1GB"
PARALLEL_WORKERS = 2  # the machine's 2 cores; PostgreSQL caps it by its own settings


class constraints_and_indexes_rebuilt:
    """Context manager: drop on enter, rebuild and check on a clean exit (inside the
    caller's transaction). Step timings go into `timings`."""

    def __init__(self, table: str, timings: dict[str, float] | None = None):
        self.table = table
        self.timings = {} if timings is None else timings
        self.indexes: list[tuple[str, str]] = []
        self.primary: list[tuple[str, str]] = []
        self.unique: list[tuple[str, str]] = []
        self.foreign: list[tuple[str, str]] = []
        # Other tables' foreign keys on the primary key: (table, name, definition).
        self.referencing: list[tuple[str, str, str]] = []

    def __enter__(self):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: events an earlier
            # statement of this transaction queued must run before ALTER TABLE may drop
            # their constraint (PostgreSQL refuses "pending trigger events").
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'SELECT NOT EXISTS (SELECT 1 FROM "{self.table}")')
            (empty,) = cursor.fetchone()
            kinds = ("p", "u", "f") if empty else ("u", "f")
            cursor.execute(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY conname",
                [self.table, list(kinds)],
            )
            lists = {"p": self.primary, "u": self.unique, "f": self.foreign}
            for name, kind, definition in cursor.fetchall():
                lists[kind].append((name, definition))
            if self.primary:
                # Top-level keys only: a partitioned table's key is dropped and added again
                # on the parent, and PostgreSQL does the same on every partition.
                cursor.execute(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                    "FROM pg_constraint WHERE confrelid = %s::regclass AND contype = 'f' "
                    "AND conrelid <> confrelid AND conparentid = 0 ORDER BY 1, 2",
                    [self.table],
                )
                self.referencing = cursor.fetchall()
            # Plain indexes only: a constraint's index (the primary key, the unique CCCD)
            # goes and comes back with its constraint.
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
                "WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid) "
                "ORDER BY c.relname",
                [self.table],
            )
            self.indexes = cursor.fetchall()
            for other, name, _definition in self.referencing:
                cursor.execute(f'ALTER TABLE {other} DROP CONSTRAINT "{name}"')
            # The primary key last: the table's own key on it (merged_into) goes first.
            for name, _definition in self.foreign + self.unique + self.primary:
                cursor.execute(f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        self.timings["drop"] = time.perf_counter() - started
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False  # the transaction rolls back, dropped objects come back with it
        table = self.table
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            cursor.execute(f"SET LOCAL max_parallel_maintenance_workers = {PARALLEL_WORKERS}")
            for name, definition in self.primary:
                self._step(cursor, f"primary key {name}", f'ALTER TABLE "{table}" ADD '
                           f'CONSTRAINT "{name}" {definition}')  # fmt: skip
            for name, definition in self.unique:
                self._step(cursor, f"unique {name}", f'ALTER TABLE "{table}" ADD CONSTRAINT '
                           f'"{name}" {definition}')  # fmt: skip
            for name, definition in self.indexes:
                self._step(cursor, f"index {name}", definition)
            for name, definition in self.foreign:
                self._step(cursor, f"foreign key {name}", f'ALTER TABLE "{table}" ADD '
                           f'CONSTRAINT "{name}" {definition}')  # fmt: skip
            started = time.perf_counter()
            for other, name, definition in self.referencing:
                cursor.execute(f'ALTER TABLE {other} ADD CONSTRAINT "{name}" {definition}')
            if self.referencing:
                self.timings[f"{len(self.referencing)} referencing foreign keys"] = (
                    time.perf_counter() - started
                )
            self._step(cursor, "ANALYZE", f'ANALYZE "{table}"')
        return False

    def _step(self, cursor, name: str, sql: str) -> None:
        started = time.perf_counter()
        cursor.execute(sql)
        self.timings[name] = time.perf_counter() - started
