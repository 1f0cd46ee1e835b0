"""On PostgreSQL, the health checks table becomes partitioned by province (issue 17, step 2).

`cases_healthcheck` is `PARTITION BY LIST (province)`: one partition per served province
(`cases_healthcheck_p38`) and a DEFAULT one, made by geo.province (the daily
`geo.prepare_partitions` job adds a newly served province's). The table is rebuilt, not
altered (geo.province.rebuild): the primary key becomes (id, province) and the
once-per-submission unique key (case, submission_key, province), since PostgreSQL requires
the partition key in each; a case's checks share its province, so both mean what they did.
`Alert.health_check` loses its database constraint (a foreign key into the partitioned
table would have to name (id, province)); Django still nulls it when a check is deleted.

Every insert path names the code before this runs (an INSERT is routed before the fill
trigger: docs/operations.md "National scale"). SQLite keeps one table; only the unique
key changes there (its triggers made again around that). The copy holds an exclusive lock on the table: at 400,000 checks a day,
run it in a maintenance window. Reversible.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from phongdich.geo import province



class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_case_healthcheck_province'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            province.on_sqlite(province.uninstall, province.HEALTH_CHECKS), province.on_sqlite(province.install, province.HEALTH_CHECKS), elidable=False
        ),
        migrations.RemoveConstraint(
            model_name='healthcheck',
            name='check_once_uniq',
        ),
        migrations.AlterField(
            model_name='alert',
            name='health_check',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='alerts', to='cases.healthcheck'),
        ),
        migrations.AddConstraint(
            model_name='healthcheck',
            constraint=models.UniqueConstraint(fields=('case', 'submission_key', 'province'), name='check_once_uniq'),
        ),
        migrations.RunPython(
            province.on_sqlite(province.install, province.HEALTH_CHECKS), province.on_sqlite(province.uninstall, province.HEALTH_CHECKS), elidable=False
        ),
        province.rebuild_operation('cases_healthcheck'),
    ]
