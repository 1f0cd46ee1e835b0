"""The province code on read subjects: their event's (issue 17).

New rows get it from `services._insert_subjects`, in the same statement. Rows already
there are filled from their event in batches of 20,000 ids; on PostgreSQL the append-only
trigger is set aside for the backfill only (a migration runs as the table's owner) and put
back in the same transaction.
"""

from django.db import migrations, models

TABLE = "audit_auditreadsubject"
BATCH = 20_000


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {TABLE}")
        low, high = cursor.fetchone()
        if low is None:
            return
        if postgresql:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only")
        for start in range(low, high + 1, BATCH):
            if postgresql:
                cursor.execute(
                    f"UPDATE {TABLE} s SET province = e.province FROM audit_auditevent e "
                    "WHERE e.id = s.event_id AND s.id >= %s AND s.id < %s",
                    [start, start + BATCH],
                )
            else:
                cursor.execute(
                    f"UPDATE {TABLE} SET province = COALESCE((SELECT e.province FROM "
                    f"audit_auditevent e WHERE e.id = {TABLE}.event_id), '') "
                    "WHERE id >= %s AND id < %s",
                    [start, start + BATCH],
                )
        if postgresql:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_partition_events_postgresql"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditreadsubject",
            name="province",
            field=models.CharField(blank=True, db_default="", default="", max_length=10),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
