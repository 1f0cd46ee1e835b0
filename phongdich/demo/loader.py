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


def bulk_load_people(rows: Iterable[PersonRow], *, table: str | None = None) -> int:
    """Insert every row; returns the count. `table` lets the benchmark target a bare copy."""
    table = table or Person._meta.db_table
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _copy_postgresql(rows, table, now)
        return _insert_batches(rows, table, now)


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
    return count
