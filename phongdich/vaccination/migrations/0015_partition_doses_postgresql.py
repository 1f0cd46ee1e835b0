"""On PostgreSQL, the doses table becomes partitioned by province (issue 17, step 2).

`vaccination_dose` is `PARTITION BY LIST (province)`: one partition per served province
(`vaccination_dose_p38`) and a DEFAULT one, made by geo.province (the daily
`geo.prepare_partitions` job adds a newly served province's). The table is rebuilt, not
altered (geo.province.rebuild): the primary key becomes (id, province), the two unique keys
gain `province` (PostgreSQL requires the partition key in each): (person, dose number, day,
province), which means what it did since a person's doses share the person's code, and
(source, source id, province) where a source id is set, now unique per province (the
import and dose_record look a source id up in every province before inserting). The three
foreign keys into the table (DoseReview.dose, Aefi.dose, AefiLink.dose) lose their database
constraint (one into a partitioned table would have to name (id, province)); Django still
applies PROTECT and SET_NULL. 0014's triggers (the fill of an empty code, the UPDATE
correction, the statement-level check against the person) are made again on the
partitioned table by the rebuild.

Every insert path names the code before this runs (an INSERT is routed before the fill
trigger: docs/operations.md "National scale"; vaccination.dose_province). SQLite keeps one
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
        ("people", "0005_person_province"),
        ("vaccination", "0014_dose_province_check"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            province.on_sqlite(province.uninstall, province.DOSES), province.on_sqlite(province.install, province.DOSES), elidable=False
        ),
        migrations.RemoveConstraint(
            model_name="dose",
            name="dose_person_number_day",
        ),
        migrations.RemoveConstraint(
            model_name="dose",
            name="dose_source_id",
        ),
        migrations.AlterField(
            model_name="aefi",
            name="dose",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="aefi_reports",
                to="vaccination.dose",
            ),
        ),
        migrations.AlterField(
            model_name="aefilink",
            name="dose",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="vaccination.dose",
            ),
        ),
        migrations.AlterField(
            model_name="dosereview",
            name="dose",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="review",
                to="vaccination.dose",
            ),
        ),
        migrations.AddConstraint(
            model_name="dose",
            constraint=models.UniqueConstraint(
                fields=("person", "dose_number", "given_on", "province"),
                name="dose_person_number_day",
            ),
        ),
        migrations.AddConstraint(
            model_name="dose",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_id", ""), _negated=True),
                fields=("source", "source_id", "province"),
                name="dose_source_id",
            ),
        ),
        migrations.RunPython(
            province.on_sqlite(province.install, province.DOSES), province.on_sqlite(province.uninstall, province.DOSES), elidable=False
        ),
        province.rebuild_operation("vaccination_dose"),
    ]
