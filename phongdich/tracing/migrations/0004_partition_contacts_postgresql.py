"""On PostgreSQL, the contacts table becomes partitioned by province (issue 17, step 2).

`tracing_contact` is `PARTITION BY LIST (province)` (the province where the contact lives):
one partition per served province (`tracing_contact_p38`) and a DEFAULT one, which also
holds the contacts living outside the served provinces (no commune, code ''), made by
geo.province (the daily `geo.prepare_partitions` job adds a newly served province's). The
table is rebuilt, not altered (geo.province.rebuild): the primary key becomes (id,
province) and the two "one contact per source and person" keys gain `province`
(PostgreSQL requires the partition key in each): a contact takes its person's commune, so
they mean what they did, under the (source, person) lock of `contact_add`. The one foreign
key into the table, an F2's `source_contact` (the table's own), loses its database
constraint (one into a partitioned table would have to name (id, province)); Django still
applies PROTECT. `source_province` stays a plain column filled by its trigger.

Every insert path names the code before this runs (an INSERT is routed before the fill
trigger: docs/operations.md "National scale"; geo.province.name_codes). SQLite keeps one
table; only the unique keys change there (its province triggers taken off around the
table's rebuild). The copy holds an exclusive lock on the table: run it in a maintenance
window. Reversible.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from phongdich.geo import province


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_partition_healthchecks_postgresql"),
        ("geo", "0001_initial"),
        ("people", "0006_person_province_check_fewer_indexes"),
        ("tracing", "0003_contact_source_province"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Going back, this runs last: after the table's remakes, the triggers again.
        migrations.RunPython(
            province.on_sqlite(province.uninstall, province.CONTACTS, province.CONTACT_SOURCES),
            province.on_sqlite(province.install, province.CONTACTS, province.CONTACT_SOURCES),
            elidable=False,
        ),
        migrations.RemoveConstraint(
            model_name="contact",
            name="contact_one_per_case_person",
        ),
        migrations.RemoveConstraint(
            model_name="contact",
            name="contact_one_per_contact_person",
        ),
        migrations.AlterField(
            model_name="contact",
            name="source_contact",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="contacts",
                to="tracing.contact",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_case__isnull", False)),
                fields=("source_case", "person", "province"),
                name="contact_one_per_case_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_contact__isnull", False)),
                fields=("source_contact", "person", "province"),
                name="contact_one_per_contact_person",
            ),
        ),
        migrations.RunPython(
            province.on_sqlite(province.install, province.CONTACTS, province.CONTACT_SOURCES),
            province.on_sqlite(province.uninstall, province.CONTACTS, province.CONTACT_SOURCES),
            elidable=False,
        ),
        province.rebuild_operation("tracing_contact"),
    ]
