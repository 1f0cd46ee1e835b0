"""Bulk loading of synthetic people: COPY on PostgreSQL, batched INSERTs on SQLite.

The ORM's per-row save() would take hours for 3.6 million people; these paths write
straight into the table and are what `manage.py demo --scale 1` and bench/ use.
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from phongdich.people.models import Person

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
    "created_at",
    "updated_at",
)
SQLITE_BATCH = 5000


def bulk_load_people(
    rows: Iterable[PersonRow], *, table: str | None = None, rebuild_indexes: bool = False
) -> int:
    """Insert every row; returns the count. `table` lets the benchmark target a bare copy.

    `rebuild_indexes` (PostgreSQL, for loads into an empty or small table): drop the
    secondary indexes, COPY, and build them again afterwards. Building an index once over
    sorted data is several times cheaper than maintaining it row by row during the load.
    """
    table = table or Person._meta.db_table
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            if not rebuild_indexes:
                return _copy_postgresql(rows, table, now)
            with _secondary_indexes_dropped(table):
                return _copy_postgresql(rows, table, now)
        return _insert_batches(rows, table, now)


class _secondary_indexes_dropped:
    """Drop plain (non-constraint) indexes of `table` and recreate them on exit."""

    def __init__(self, table: str):
        self.table = table
        self.definitions: list[tuple[str, str]] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.tablename = %s AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
                """,
                [self.table],
            )
            self.definitions = cursor.fetchall()
            for name, _definition in self.definitions:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False  # the transaction rolls back, dropped indexes come back with it
        with connection.cursor() as cursor:
            # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED; their checks for the
            # copied rows must run before PostgreSQL lets us build an index on the table.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _name, definition in self.definitions:
                cursor.execute(definition)
            cursor.execute(f'ANALYZE "{self.table}"')
        return False


def _copy_postgresql(rows: Iterable[PersonRow], table: str, now) -> int:
    count = 0
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        raw_cursor = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        with raw_cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(
                    (
                        r.full_name,
                        r.name_key,
                        r.given_key,
                        r.birth_year,
                        r.sex,
                        r.id_number,
                        r.phone,
                        r.address,
                        r.commune_id,
                        now,
                        now,
                    )
                )
                count += 1
    return count


def _insert_batches(rows: Iterable[PersonRow], table: str, now) -> int:
    count = 0
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for r in rows:
            batch.append(
                (
                    r.full_name,
                    r.name_key,
                    r.given_key,
                    r.birth_year,
                    r.sex,
                    r.id_number,
                    r.phone,
                    r.address,
                    r.commune_id,
                    now,
                    now,
                )
            )
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
