from django.db import migrations

# LIKE 'prefix%' on PostgreSQL uses a B-tree index only with varchar_pattern_ops when the
# database collation is not C. SQLite does not need it (people.selectors uses a range there),
# so it is created on PostgreSQL only and not declared on the model.
CREATE = (
    "CREATE INDEX IF NOT EXISTS person_name_key_like_idx "
    "ON people_person (name_key varchar_pattern_ops)"
)
CREATE_GIVEN = (
    "CREATE INDEX IF NOT EXISTS person_given_key_like_idx "
    "ON people_person (given_key varchar_pattern_ops)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute(CREATE_GIVEN)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_name_key_like_idx")
        schema_editor.execute("DROP INDEX IF EXISTS person_given_key_like_idx")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
