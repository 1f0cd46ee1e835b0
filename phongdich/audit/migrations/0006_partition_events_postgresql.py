"""On PostgreSQL, the audit events table becomes partitioned: by province, then by month.

The table is rebuilt, not altered (PostgreSQL cannot turn a table into a partitioned one):
the old one is renamed, a partitioned one made with the same columns, defaults and
identity, the rows copied with their ids, and the indexes, the actor's foreign key and the
append-only trigger made again under their old names. The primary key becomes
(id, province, at), since PostgreSQL requires the partition key in every unique
constraint; ids stay unique because every row takes its id from one identity sequence, and
Django keeps `id` as the model's primary key. Events from before this migration get their
province from their actor's unit (the home province without one) and their `app` from
their action.

SQLite keeps one table; the new columns are filled in place.

The copy holds an exclusive lock on the table for its duration: at 1.5 million events, a
few minutes. Run it in a maintenance window.
"""

from django.conf import settings
from django.db import migrations

TABLE = "audit_auditevent"
OLD = "audit_auditevent_unpartitioned"

APP_SQL = "CASE WHEN strpos(action, '.') > 0 THEN split_part(action, '.', 1) ELSE '' END"
PROVINCE_SQL = (
    "COALESCE((SELECT NULLIF(split_part(u.path, '/', 2), '') FROM accounts_user a "
    "JOIN geo_adminunit u ON u.id = a.jurisdiction_id WHERE a.id = e.actor_id), %s)"
)


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def _rebuild(schema_editor, *, partitioned: bool) -> None:
    """Move the events into a new table, partitioned or (going back) plain."""
    from phongdich.audit import partitions

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{TABLE}" IN ACCESS EXCLUSIVE MODE')
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{OLD}"')
        # Index names are schema-wide: the old primary key's must be free for the new one.
        cursor.execute(
            f'ALTER TABLE "{OLD}" RENAME CONSTRAINT "{TABLE}_pkey" TO "{OLD}_pkey"'
        )
        # The identity sequence keeps its name through the rename; free the name for the
        # new table's own sequence.
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {OLD}_id_seq")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = %s AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p')",
            [OLD, OLD],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [OLD],
        )
        foreign_keys = cursor.fetchall()
        layout = "PARTITION BY LIST (province)" if partitioned else ""
        cursor.execute(
            f'CREATE TABLE "{TABLE}" (LIKE "{OLD}" INCLUDING DEFAULTS INCLUDING IDENTITY) '
            + layout
        )
        key = "id, province, at" if partitioned else "id"
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY ({key})')
    if partitioned:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT min(at) FROM "{OLD}"')
            (oldest,) = cursor.fetchone()
        from django.utils import timezone

        since = timezone.localtime(oldest).date() if oldest else None
        partitions.prepare_partitions(using=connection.alias, since=since)
    with connection.cursor() as cursor:
        columns = _columns(cursor, OLD)
        names = ", ".join(f'"{c}"' for c in columns)
        if partitioned:
            values = ", ".join(
                APP_SQL if c == "app" else PROVINCE_SQL if c == "province" else f'e."{c}"'
                for c in columns
            )
            params = [settings.HOME_PROVINCE_CODE]
        else:
            values, params = ", ".join(f'e."{c}"' for c in columns), None
        cursor.execute(f'INSERT INTO "{TABLE}" ({names}) SELECT {values} FROM "{OLD}" e', params)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(max(id), 0) + 1, false) "
            f'FROM "{TABLE}"',
            [TABLE],
        )
        cursor.execute(f'DROP TABLE "{OLD}"')
        for _name, definition in indexes:
            cursor.execute(
                definition.replace(f"ON public.{OLD} ", f"ON public.{TABLE} ").replace(
                    f"ON ONLY public.{OLD} ", f"ON public.{TABLE} "
                )
            )
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{name}" {definition}')
        # Migration 0003's trigger, on the new table (on a partitioned table PostgreSQL
        # clones it onto every partition, present and future).
        cursor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=True)
        return
    # SQLite: no trigger, no partitions; fill the new columns in place.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET app = CASE WHEN instr(action, '.') > 0 "
            "THEN substr(action, 1, instr(action, '.') - 1) ELSE '' END, "
            "province = COALESCE((SELECT substr(u.path, 2, instr(substr(u.path, 2), '/') - 1) "
            "FROM accounts_user a JOIN geo_adminunit u ON u.id = a.jurisdiction_id "
            f"WHERE a.id = {TABLE}.actor_id), %s)",
            [settings.HOME_PROVINCE_CODE],
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_partition_columns"),
        ("geo", "0001_initial"),
        ("accounts", "0007_tracer_police_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
