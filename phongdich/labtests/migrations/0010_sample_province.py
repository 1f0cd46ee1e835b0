"""The province code on samples (issue 17, docs/operations.md "National scale").

Adds `province`, the triggers that fill it on every insert path (geo.province: on
PostgreSQL and SQLite alike, so the bulk imports' own SQL need not name it), the backfill of
the rows already there (UPDATE … FROM geo units in batches of 20,000 ids), then the index the
province pages read through (built after the backfill, not maintained row by row by it).
Reversible: going back drops the triggers and the column.
"""

from django.conf import settings
from django.db import migrations, models

from phongdich.geo import province


class Migration(migrations.Migration):

    dependencies = [
        ('geo', '0001_initial'),
        ('cases', '0010_case_healthcheck_province'),
        ('labtests', '0009_link_team_names'),
        ('people', '0005_person_province'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='sample',
            name='province',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=10),
        ),
        province.operations(province.SAMPLES),
        migrations.AddIndex(
            model_name='sample',
            index=models.Index(fields=['province', '-taken_at'], name='labtests_sample_province'),
        ),
    ]
