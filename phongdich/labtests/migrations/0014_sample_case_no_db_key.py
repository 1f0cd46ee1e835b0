"""`Sample.case` loses its database constraint: cases_case becomes partitioned by province
(cases 0012, which depends on this), and a foreign key into a partitioned table would have
to name (id, province). Django still applies SET_NULL when a case is deleted. SQLite
remakes the table for it: its province triggers are taken off and made again around it.
"""

import django.db.models.deletion
from django.db import migrations, models

from phongdich.geo import province


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_partition_healthchecks_postgresql"),
        ("labtests", "0013_shift_cancelled_kept"),
    ]

    operations = [
        migrations.RunPython(
            province.on_sqlite(province.uninstall, province.SAMPLES),
            province.on_sqlite(province.install, province.SAMPLES),
            elidable=False,
        ),
        migrations.AlterField(
            model_name="sample",
            name="case",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="samples",
                to="cases.case",
            ),
        ),
        migrations.RunPython(
            province.on_sqlite(province.install, province.SAMPLES),
            province.on_sqlite(province.uninstall, province.SAMPLES),
            elidable=False,
        ),
    ]
