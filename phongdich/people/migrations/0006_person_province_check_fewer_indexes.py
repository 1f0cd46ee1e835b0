"""People's province code: filled row by row only when the writer left it empty, checked for
every insert at once (issue 17, the people bulk load; PostgreSQL only, SQLite keeps 0005's).

Migration 0005 set the code with a BEFORE INSERT OR UPDATE row trigger (geo.province): one
PL/pgSQL call and one read of the commune per person, 3.6 million of each when the demo
loads a province. The bulk loader (demo.loader) now writes the code itself (it reads every
unit's code once before its COPY), so, as vaccination 0014 did for doses:

- on INSERT the row trigger fills the code only WHEN it is empty (every ORM path sends "",
  the field is not editable): a C test, no PL/pgSQL call, for a row that carries its code;
- a statement trigger (AFTER INSERT, the statement's new rows as a transition table)
  checks every inserted person against their commune's code in one join and refuses the
  statement if one differs: a writer that sends a code cannot send a wrong one;
- UPDATE keeps 0005's trigger as it was (a stale instance saved again is corrected).

And fewer indexes to build after a bulk load (4 of the 12 go, one comes back partial):

- the foreign key's own index on `commune`: person_commune_idx (commune, name_key) leads
  with the same column and serves every lookup by commune, the key's checks included;
- the one on `merged_into` becomes partial (WHERE merged_into_id IS NOT NULL): nearly every
  row is NULL, and every reader asks for set values (`merged_into__in=…`, the key's check
  `merged_into_id = $1`, both strict, so the planner proves the index's condition);
- on PostgreSQL, the LIKE (varchar_pattern_ops) indexes Django adds to `id_number` and
  `claimed_id_number`: no query matches a CCCD by prefix, only by equality, which the
  plain and unique indexes serve.

The two foreign keys change in Django's state only (SeparateDatabaseAndState); their
indexes are dropped by name with plain SQL, because an AlterField would make SQLite
remake the table, dropping the province triggers 0005 put on it.

Reversible: going back restores 0005's single trigger and the four indexes.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "people_person"
FILL = "people_person_province_fill()"  # 0005's function, kept
CHECK = "people_person_province_check"
# Django's names for the indexes it made (the same on every database: a hash of the names).
FK_INDEXES = {
    "people_person_commune_id_13ee0d19": "commune_id",
    "people_person_merged_into_id_138bbee4": "merged_into_id",
}
LIKE_INDEXES = {
    "people_person_id_number_64d0ac1f_like": "id_number",
    "people_person_claimed_id_number_435b2940_like": "claimed_id_number",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    for trigger in ("people_person_province", "people_person_province_ins", CHECK):
        run(f"DROP TRIGGER IF EXISTS {trigger} ON {TABLE}")
    run(
        f"CREATE TRIGGER people_person_province BEFORE UPDATE OF commune_id, province "
        f"ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {FILL}"
    )
    run(
        f"CREATE TRIGGER people_person_province_ins BEFORE INSERT ON {TABLE} "
        f"FOR EACH ROW WHEN (NEW.province = '') EXECUTE FUNCTION {FILL}"
    )
    run(
        f"CREATE OR REPLACE FUNCTION {CHECK}() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF EXISTS (SELECT 1 FROM people_person_new n "
        "LEFT JOIN geo_adminunit u ON u.id = n.commune_id "
        "WHERE n.province IS DISTINCT FROM COALESCE(split_part(u.path, '/', 2), '')) THEN "
        "RAISE EXCEPTION 'people_person.province differs from its commune''s code' "
        "USING ERRCODE = 'check_violation'; END IF; RETURN NULL; END $$"
    )
    run(
        f"CREATE TRIGGER {CHECK} AFTER INSERT ON {TABLE} "
        "REFERENCING NEW TABLE AS people_person_new FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {CHECK}()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"DROP TRIGGER IF EXISTS {CHECK} ON {TABLE}")
    run(f"DROP FUNCTION IF EXISTS {CHECK}()")
    run(f"DROP TRIGGER IF EXISTS people_person_province_ins ON {TABLE}")
    run(f"DROP TRIGGER IF EXISTS people_person_province ON {TABLE}")
    run(
        f"CREATE TRIGGER people_person_province BEFORE INSERT OR UPDATE OF commune_id, "
        f"province ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {FILL}"
    )


def drop_indexes(apps, schema_editor):
    names = list(FK_INDEXES)
    if schema_editor.connection.vendor == "postgresql":
        names += list(LIKE_INDEXES)
    for name in names:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_indexes(apps, schema_editor):
    for name, column in FK_INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON {TABLE} ("{column}")')
    if schema_editor.connection.vendor == "postgresql":
        for name, column in LIKE_INDEXES.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON {TABLE} ("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("people", "0005_person_province"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="commune",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="people",
                        to="geo.adminunit",
                        verbose_name="xã/phường",
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_from",
                        to="people.person",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_indexes, restore_indexes, elidable=False),
            ],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="person_merged_into_idx",
            ),
        ),
    ]
