"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit tables.

The model and queryset guards stop the ORM; this trigger also stops raw SQL, a manage.py
dbshell typo and any other program using the application's database account.

TRUNCATE is deliberately not refused: it is a statement-level operation that Django's
test flush (TransactionTestCase, pytest's `django_db(transaction=True)`) uses to empty every
table, and the application never issues it. In production the application should connect
as a role that does not own the tables and holds only SELECT and INSERT on them
(docs/architecture.md); such a role can neither TRUNCATE nor drop this trigger.

SQLite keeps the model guard only: Django's flush empties SQLite tables with DELETE, which a
trigger would refuse.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditreadsubject")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Audit rows are never updated or deleted.';
END;
$$;
"""

CREATE_TRIGGER = """
CREATE TRIGGER {table}_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

DROP_TRIGGER = "DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS audit_refuse_change();"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the function body holds RAISE placeholders (%), not query parameters.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(CREATE_TRIGGER.format(table=table))


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP_TRIGGER.format(table=table))
    schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_read_subjects_and_actor_index")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
