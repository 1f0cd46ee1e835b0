"""On PostgreSQL, the cases table becomes partitioned by province (issue 17, step 2).

`cases_case` is `PARTITION BY LIST (province)`: one partition per served province
(`cases_case_p38`) and a DEFAULT one, made by geo.province (the daily
`geo.prepare_partitions` job adds a newly served province's). The table is rebuilt, not
altered (geo.province.rebuild):

- Every unique key names `province` (PostgreSQL requires the partition key in each): the
  primary key (id, province); the partial "one open case" key (person, province); the
  certificate's verification code (certificate_code, province), a random code of 20+
  characters, so unique in practice.
- One open case per person stays national: `cases_case_open` (plain, keyed by the person)
  holds a row per open case, written by row triggers on the case table in the same
  statement (insert, a change of status or person, delete; a TRUNCATE empties it), so a
  second open case in another province fails its INSERT with a unique violation, which
  case_register already answers. On SQLite the partial index (person, province) is all.
- Every foreign key into the table loses its database constraint (one into a partitioned
  table would have to name (id, province)): alerts, links, link sends, transfers, deaths,
  medicine bags, mobile visits, the retired lab results, and (labtests 0013, tracing 0005)
  samples, contacts' source and became case, clusters' cases. Django still applies their
  CASCADE, PROTECT and SET_NULL. The health checks, which carry their case's code, get a
  composite foreign key instead: (case_id, province) REFERENCES cases_case (id, province)
  ON UPDATE CASCADE, which also enforces that a check sits in its case's province. A case
  handed to another province moves partition, which PostgreSQL does as a DELETE and an
  INSERT: AFTER UPDATE row triggers do not fire, so geo.province's cascade trigger no
  longer moves the checks; the key's cascade does (PostgreSQL 15 runs a foreign key's
  action on the partitioned root for a cross-partition UPDATE).

Every insert path names the code before this runs (an INSERT is routed before the fill
trigger: docs/operations.md "National scale"; `Case.save`, `CodedQuerySet.bulk_create`).
SQLite keeps one table: only the unique keys change there (its province triggers, and the
checks', taken off around the remakes). The copy holds an exclusive lock on the table: run
it in a maintenance window. Reversible.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from phongdich.geo import province

CHECKS_KEY = "cases_healthcheck_case_province_fk"


def _checks_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE cases_healthcheck ADD CONSTRAINT {CHECKS_KEY} "
            "FOREIGN KEY (case_id, province) REFERENCES cases_case (id, province) "
            "ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED"
        )


def _checks_key_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE cases_healthcheck DROP CONSTRAINT IF EXISTS {CHECKS_KEY}"
        )


OPEN = "cases_case_open"
# cases.models.OPEN_STATUSES when this was written (a migration keeps its own copy).
OPEN_SQL = "('pending', 'active', 'transferred')"


def _open_keys(apps, schema_editor):
    """One open case per person across provinces: `cases_case_open` (plain, keyed by the
    person) holds a row per open case, written by row triggers on the case table inside
    the same statement, so a second open case of a person in any province fails its INSERT
    (or its reopening UPDATE) with a unique violation, as the national partial index did. A
    case moved to another province's partition is a DELETE and an INSERT to PostgreSQL: the
    row triggers take its key off and write it again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(
        f"CREATE TABLE {OPEN} (person_id bigint NOT NULL, case_id bigint NOT NULL, "
        f"CONSTRAINT {OPEN}_pkey PRIMARY KEY (person_id))"
    )
    run(
        f"""CREATE FUNCTION {OPEN}_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.status IN {OPEN_SQL} THEN
            INSERT INTO {OPEN} (person_id, case_id) VALUES (NEW.person_id, NEW.id);
        END IF;
        RETURN NULL; END $$"""
    )
    run(
        f"""CREATE FUNCTION {OPEN}_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        DELETE FROM {OPEN} WHERE person_id = OLD.person_id AND case_id = OLD.id;
        RETURN NULL; END $$"""
    )
    run(
        f"""CREATE FUNCTION {OPEN}_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        DELETE FROM {OPEN} WHERE person_id = OLD.person_id AND case_id = OLD.id;
        IF NEW.status IN {OPEN_SQL} THEN
            INSERT INTO {OPEN} (person_id, case_id) VALUES (NEW.person_id, NEW.id);
        END IF;
        RETURN NULL; END $$"""
    )
    run(
        f"CREATE FUNCTION {OPEN}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"TRUNCATE {OPEN}; RETURN NULL; END $$"
    )
    run(
        f"CREATE TRIGGER {OPEN}_insert AFTER INSERT ON cases_case "
        f"FOR EACH ROW EXECUTE FUNCTION {OPEN}_insert()"
    )
    run(
        f"CREATE TRIGGER {OPEN}_delete AFTER DELETE ON cases_case "
        f"FOR EACH ROW EXECUTE FUNCTION {OPEN}_delete()"
    )
    # Only when the key changes: the queue's counters and a check's last_check_at, the
    # case table's frequent updates, queue nothing.
    run(
        f"CREATE TRIGGER {OPEN}_update AFTER UPDATE OF status, person_id ON cases_case "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
        f"OR OLD.person_id IS DISTINCT FROM NEW.person_id) EXECUTE FUNCTION {OPEN}_update()"
    )
    run(
        f"CREATE TRIGGER {OPEN}_truncate AFTER TRUNCATE ON cases_case "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {OPEN}_truncate()"
    )
    run(
        f"INSERT INTO {OPEN} (person_id, case_id) SELECT person_id, id FROM cases_case "
        f"WHERE status IN {OPEN_SQL}"
    )


def _open_keys_back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in ("insert", "delete", "update", "truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {OPEN}_{event} ON cases_case")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {OPEN}_{event}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {OPEN}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_partition_healthchecks_postgresql"),
        ("labtests", "0014_sample_case_no_db_key"),
        ("tracing", "0005_case_keys_no_db_constraint"),
        ("facilities", "0004_facility_health_staff"),
        ("geo", "0001_initial"),
        ("people", "0006_person_province_check_fewer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            province.on_sqlite(province.uninstall, province.HEALTH_CHECKS, province.CASES),
            province.on_sqlite(province.install, province.CASES, province.HEALTH_CHECKS),
            elidable=False,
        ),
        migrations.RemoveConstraint(
            model_name="case",
            name="case_one_open_per_person",
        ),
        migrations.AlterField(
            model_name="alert",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alerts",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="certificate_code",
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
        migrations.AlterField(
            model_name="caselink",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="links",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="caselinksend",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="link_sends",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="death",
            name="case",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="death",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="healthcheck",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="checks",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="labresult",
            name="case",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="tests",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="medicinebag",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="medicine_bags",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="mobilestationvisit",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mobile_visits",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="transfers",
                to="cases.case",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("pending", "active", "transferred"))),
                fields=("person", "province"),
                name="case_one_open_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(
                fields=("certificate_code", "province"), name="case_certificate_code_uniq"
            ),
        ),
        migrations.RunPython(
            province.on_sqlite(province.install, province.CASES, province.HEALTH_CHECKS),
            province.on_sqlite(province.uninstall, province.HEALTH_CHECKS, province.CASES),
            elidable=False,
        ),
        province.rebuild_operation("cases_case"),
        migrations.RunPython(_checks_key, _checks_key_back, elidable=False),
        migrations.RunPython(_open_keys, _open_keys_back, elidable=False),
    ]
