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


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_partition_healthchecks_postgresql"),
        ("tracing", "0004_partition_contacts_postgresql"),
    ]

    operations = [
        migrations.RunPython(
            province.on_sqlite(province.uninstall, province.CONTACTS, province.CONTACT_SOURCES),
            province.on_sqlite(province.install, province.CONTACTS, province.CONTACT_SOURCES),
            elidable=False,
        ),
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
        migrations.RunPython(
            province.on_sqlite(province.install, province.CONTACTS, province.CONTACT_SOURCES),
            province.on_sqlite(province.uninstall, province.CONTACTS, province.CONTACT_SOURCES),
            elidable=False,
        ),
    ]
