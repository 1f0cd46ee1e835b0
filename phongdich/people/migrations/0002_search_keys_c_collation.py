from django.db import migrations

# On PostgreSQL the search keys get the "C" collation. The keys are folded ASCII, so byte
# order is the right order, and with "C" one plain B-tree index serves both LIKE 'prefix%'
# and ORDER BY name_key (under a linguistic collation LIKE would need a second,
# varchar_pattern_ops index, which cannot serve the ORDER BY). SQLite compares bytes already
# (BINARY) and has no "C" collation, so this runs on PostgreSQL only.


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, length in (("name_key", 120), ("given_key", 40)):
        schema_editor.execute(
            f'ALTER TABLE people_person ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, length in (("name_key", 120), ("given_key", 40)):
        schema_editor.execute(
            f"ALTER TABLE people_person ALTER COLUMN {column} TYPE varchar({length}) "
            'COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
