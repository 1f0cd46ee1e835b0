"""The contacts' source case and became case, and the clusters' cases, lose their
database constraint: cases_case becomes partitioned by province (cases 0012, which depends
on this), and a foreign key into a partitioned table would have to name (id, province).
Django still applies PROTECT and SET_NULL, and clears a cluster's links to a deleted case.
SQLite remakes the contact table for it: its province triggers are taken off and made
again around it.
"""

import django.db.models.deletion
from django.db import migrations, models

from phongdich.geo import province


def _sqlite_off(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        province.uninstall(schema_editor, province.CONTACTS)
        province.uninstall(schema_editor, province.CONTACT_SOURCES)


def _sqlite_on(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        province.install(schema_editor, province.CONTACTS)
        province.install(schema_editor, province.CONTACT_SOURCES)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_partition_healthchecks_postgresql"),
        ("tracing", "0004_partition_contacts_postgresql"),
    ]

    operations = [
        migrations.RunPython(_sqlite_off, _sqlite_on, elidable=False),
        migrations.AlterField(
            model_name="cluster",
            name="cases",
            field=models.ManyToManyField(
                blank=True, db_constraint=False, related_name="clusters", to="cases.case"
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="became_case",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="from_contacts",
                to="cases.case",
            ),
        ),
        migrations.AlterField(
            model_name="contact",
            name="source_case",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="contacts",
                to="cases.case",
            ),
        ),
        migrations.RunPython(_sqlite_on, _sqlite_off, elidable=False),
    ]
