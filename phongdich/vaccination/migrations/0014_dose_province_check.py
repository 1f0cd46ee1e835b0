"""Doses' province code: filled row by row only when the writer left it empty, checked for
every insert at once (issue 11, the bulk import; PostgreSQL only, SQLite keeps 0010's).

Migration 0010 set the code with a BEFORE INSERT OR UPDATE row trigger (geo.province), one
PL/pgSQL call and one read of the person per dose: about a third of the CPU of the bulk
import's dose INSERT (0.9 of 2.7 s for 193,900 doses). The bulk import now writes the code
itself (its person's, which it joins anyway), so:

- on INSERT the row trigger fills the code only WHEN it is empty (every ORM path sends "",
  the field is not editable): a C test, no PL/pgSQL call, for a row that carries its code;
- a statement trigger (AFTER INSERT, the statement's new rows as a transition table)
  checks every inserted dose against its person's code in one join and refuses the
  statement if one differs: a writer that sends a code cannot send a wrong one;
- UPDATE keeps 0010's trigger as it was (a stale instance saved again is corrected).

Reversible: going back restores 0010's single trigger.
"""

from django.db import migrations

TABLE = "vaccination_dose"
FILL = "vaccination_dose_province_fill()"  # 0010's function, kept


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"DROP TRIGGER IF EXISTS vaccination_dose_province ON {TABLE}")
    run(
        f"CREATE TRIGGER vaccination_dose_province BEFORE UPDATE OF person_id, province "
        f"ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {FILL}"
    )
    run(
        f"CREATE TRIGGER vaccination_dose_province_ins BEFORE INSERT ON {TABLE} "
        f"FOR EACH ROW WHEN (NEW.province = '') EXECUTE FUNCTION {FILL}"
    )
    run(
        "CREATE OR REPLACE FUNCTION vaccination_dose_province_check() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM vaccination_dose_new n "
        "LEFT JOIN people_person p ON p.id = n.person_id "
        "WHERE n.province IS DISTINCT FROM COALESCE(p.province, '')) THEN "
        "RAISE EXCEPTION 'vaccination_dose.province differs from its person''s code' "
        "USING ERRCODE = 'check_violation'; END IF; RETURN NULL; END $$"
    )
    run(
        f"CREATE TRIGGER vaccination_dose_province_check AFTER INSERT ON {TABLE} "
        "REFERENCING NEW TABLE AS vaccination_dose_new FOR EACH STATEMENT "
        "EXECUTE FUNCTION vaccination_dose_province_check()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"DROP TRIGGER IF EXISTS vaccination_dose_province_check ON {TABLE}")
    run("DROP FUNCTION IF EXISTS vaccination_dose_province_check()")
    run(f"DROP TRIGGER IF EXISTS vaccination_dose_province_ins ON {TABLE}")
    run(f"DROP TRIGGER IF EXISTS vaccination_dose_province ON {TABLE}")
    run(
        f"CREATE TRIGGER vaccination_dose_province BEFORE INSERT OR UPDATE OF person_id, "
        f"province ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {FILL}"
    )


class Migration(migrations.Migration):
    dependencies = [("vaccination", "0013_dose_fewer_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
