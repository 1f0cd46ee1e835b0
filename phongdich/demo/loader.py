"""Bulk loading of synthetic people: COPY on PostgreSQL, batched INSERTs on SQLite.

The ORM's per-row save() would take hours for 3.6 million people; these paths write
straight into the table and are what `manage.py demo --scale 1` and bench/ use.

Each row carries its province code (geo.province), read once for every unit before the
load: on PostgreSQL the row trigger then skips it (people 0006: it fills only an empty
code) and the statement check proves every code right in one join. Into an empty or
small table (`rebuild_indexes`) the loader drops those two insert triggers for its own
COPY and runs the same check itself once the rows are in (`province_checked_once`).
"""

import time
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from phongdich.geo.models import AdminUnit
from phongdich.geo.province import province_of_path
from phongdich.people.models import Person
from phongdich.people.signals import people_created_in_bulk

from .rebuild import constraints_and_indexes_rebuilt
from .synthetic import PersonRow

COLUMNS = (
    "full_name",
    "name_key",
    "given_key",
    "birth_year",
    "sex",
    "id_number",
    "phone",
    "address",
    "commune_id",
    "province",
    "created_at",
    "updated_at",
)
SQLITE_BATCH = 5000


def bulk_load_people(
    rows: Iterable[PersonRow],
    *,
    table: str | None = None,
    rebuild_indexes: bool = False,
    timings: dict[str, float] | None = None,
) -> int:
    """Insert every row; returns the count. `table` lets the benchmark target a bare copy.

    `rebuild_indexes` (PostgreSQL, for loads into an empty or small table): drop the
    secondary indexes and the unique and foreign-key constraints, COPY, then build and
    check them again in the same transaction (demo.rebuild). Building an index once over
    the loaded rows is several times cheaper than maintaining it row by row, and one
    anti-join checks a foreign key for every row at once.

    `timings`, when given, receives each step's wall seconds (bench/people_load.py).
    """
    table = table or Person._meta.db_table
    now = timezone.now()
    timings = {} if timings is None else timings
    started = time.perf_counter()
    codes = unit_codes()
    timings["unit codes read"] = time.perf_counter() - started
    with transaction.atomic():
        if connection.vendor != "postgresql":
            count = _insert_batches(rows, table, now, codes)
        elif not rebuild_indexes:
            count = _timed(timings, "COPY", _copy_postgresql, rows, table, now, codes)
        elif table != Person._meta.db_table:  # the bench's bare copy has no trigger
            with constraints_and_indexes_rebuilt(table, timings):
                count = _timed(timings, "COPY", _copy_postgresql, rows, table, now, codes)
        else:
            with constraints_and_indexes_rebuilt(table, timings):
                with province_checked_once(table, timings):
                    count = _timed(timings, "COPY", _copy_postgresql, rows, table, now, codes)
        if table == Person._meta.db_table:
            # No post_save ran: the apps keeping a row per person (vaccination's coverage
            # summary) add this load's rows now, in its transaction, set-based. The load's
            # rows are the ones stamped with its `now`.
            _timed(timings, "per-person rows", _announce, table, now)
        return count


def _announce(table: str, now) -> None:
    people_created_in_bulk.send(
        sender=Person, where=f"SELECT id FROM {table} WHERE created_at = %s", params=[now]
    )


# people 0006's insert triggers. The statement check copies every inserted row into a
# transition table before it joins them (0.7 backend CPU-s a million rows, bench/README.md
# 07/12/2026); the fill's row trigger, though it skips a row that has its code, costs its
# WHEN test on every row (0.25 CPU-s a million).
INSERT_TRIGGERS = ("people_person_province_ins", "people_person_province_check")


class province_checked_once:
    """Context manager for the rebuild's COPY into people_person: drop people 0006's insert
    triggers on enter, and on a clean exit prove every copied row's province code against
    its commune's with one join over the table (the statement check's own test, so the
    guarantee is the same: a wrong or missing code refuses the whole load), then create
    the triggers again from their read-back definitions, enabled or not as they were.

    Only inside constraints_and_indexes_rebuilt: the table is locked ACCESS EXCLUSIVE from
    its first DROP, so no other session inserts without the triggers; a failure rolls the
    drops back with the rows. The copied rows are told apart by their ids: the identity
    hands out ids in increasing order, so every row of the COPY has an id above one drawn
    from it just before.
    """

    def __init__(self, table: str, timings: dict[str, float]):
        self.table = table
        self.timings = timings
        self.triggers: list[tuple[str, str, str]] = []
        self.floor = 0

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND tgname = ANY(%s) ORDER BY tgname",
                [self.table, list(INSERT_TRIGGERS)],
            )
            self.triggers = cursor.fetchall()
            for name, _definition, _enabled in self.triggers:
                cursor.execute(f'DROP TRIGGER "{name}" ON "{self.table}"')
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [self.table])
            (self.floor,) = cursor.fetchone()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False  # the transaction rolls back, the triggers come back with it
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT count(*) FROM "{self.table}" p '
                "LEFT JOIN geo_adminunit u ON u.id = p.commune_id WHERE p.id > %s "
                "AND p.province IS DISTINCT FROM COALESCE(split_part(u.path, '/', 2), '')",
                [self.floor],
            )
            (wrong,) = cursor.fetchone()
            if wrong:
                raise IntegrityError(
                    f"{self.table}.province differs from its commune's code on {wrong} rows"
                )
            for name, definition, enabled in self.triggers:
                cursor.execute(definition)
                if enabled == "D":
                    cursor.execute(f'ALTER TABLE "{self.table}" DISABLE TRIGGER "{name}"')
        self.timings["province check"] = time.perf_counter() - started
        return False


def unit_codes() -> dict[int, str]:
    """Every unit's province code by id: one read of the geography (about 11,000 units
    nationwide), so no row needs a lookup of its own."""
    return {pk: province_of_path(path) for pk, path in AdminUnit.objects.values_list("pk", "path")}


def _timed(timings: dict[str, float], name: str, fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    timings[name] = time.perf_counter() - started
    return result


def _values(r: PersonRow, now, codes: dict[int, str]) -> tuple:
    return (
        r.full_name,
        r.name_key,
        r.given_key,
        r.birth_year,
        r.sex,
        r.id_number,
        r.phone,
        r.address,
        r.commune_id,
        codes.get(r.commune_id, "") if r.commune_id is not None else "",
        now,
        now,
    )


def _copy_postgresql(rows: Iterable[PersonRow], table: str, now, codes: dict[int, str]) -> int:
    count = 0
    columns = ", ".join(COLUMNS)
    # The raw cursor's errors are psycopg's: wrapped, a refused row raises Django's
    # IntegrityError like every other write path.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw_cursor = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        with raw_cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(_values(r, now, codes))
                count += 1
    return count


def _insert_batches(rows: Iterable[PersonRow], table: str, now, codes: dict[int, str]) -> int:
    count = 0
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for r in rows:
            batch.append(_values(r, now, codes))
            if len(batch) >= SQLITE_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
        # Without statistics SQLite takes `merged_into_id IS NULL` for a selective index
        # probe and sorts the whole table on every search (0.5 s at a million people).
        cursor.execute(f'ANALYZE "{table}"')
    return count
