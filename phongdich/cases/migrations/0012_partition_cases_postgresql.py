"""On PostgreSQL, the cases table becomes partitioned by province (issue 17, step 2).

`cases_case` is `PARTITION BY LIST (province)`: one partition per served province
(`cases_case_p38`) and a DEFAULT one, made by geo.province (the daily
`geo.prepare_partitions` job adds a newly served province's). The table is rebuilt, not
altered (geo.province.rebuild):

- Every unique key names `province` (PostgreSQL requires the partition key in each): the
  primary key (id, province); one open case per (person, province), which the database
  now refuses within a province only (a person's second open case in another province is
  kept out by case_register's lock on the person's row and its "already a case?" read);
  the certificate's verification code (certificate_code, province), a random code of 20+
  characters, so unique in practice.
- Every foreign key into the table loses its database constraint (one into a partitioned
  table would have to name (id, province)): alerts, links, link sends, transfers, deaths,
  medicine bags, mobile visits, the retired lab results, and (labtests 0013, tracing 0005)
  samples, contacts' source and became case, clusters' cases. Django still applies their
  CASCADE, PROTECT and SET_NULL. The health checks, which carry their case's code, get a
  composite foreign key instead: (case_id, province) REFERENCES cases_case (id, province)
  ON UPDATE CASCADE, which also enforces that a check sits in its case's province; when a
  case is handed to another province the key's cascade moves its checks along (the
  cascade trigger of geo.province then finds nothing left to change).

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


def _sqlite_off(apps, schema_editor):
    """SQLite remakes the case and check tables to change their keys, which drops their
    province triggers (and the case's cascade trigger names the checks table)."""
    if schema_editor.connection.vendor == "sqlite":
        province.uninstall(schema_editor, province.HEALTH_CHECKS)
        province.uninstall(schema_editor, province.CASES)


def _sqlite_on(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        province.install(schema_editor, province.CASES)
        province.install(schema_editor, province.HEALTH_CHECKS)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_partition_healthchecks_postgresql"),
        ("labtests", "0013_sample_case_no_db_key"),
        ("tracing", "0005_case_keys_no_db_constraint"),
        ("facilities", "0004_facility_health_staff"),
        ("geo", "0001_initial"),
        ("people", "0006_person_province_check_fewer_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_sqlite_off, _sqlite_on, elidable=False),
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
        migrations.RunPython(_sqlite_on, _sqlite_off, elidable=False),
        province.rebuild_operation("cases_case"),
        migrations.RunPython(_checks_key, _checks_key_back, elidable=False),
    ]
