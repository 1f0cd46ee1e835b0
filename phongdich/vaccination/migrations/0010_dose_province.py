"""The province code on doses (from their person) (issue 17, docs/operations.md "National scale").

Adds `province`, the triggers that fill it on every insert path (geo.province: on
PostgreSQL and SQLite alike, so the bulk imports' own SQL need not name it), the backfill of
the rows already there (UPDATE … FROM geo units in batches of 20,000 ids), then the index the
province pages read through (built after the backfill, not maintained row by row by it).
Reversible: going back drops the triggers and the column.
"""

from django.db import migrations, models

from phongdich.geo import province


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0005_person_province'),
        ('vaccination', '0009_aefi_status_history'),
    ]

    operations = [
        migrations.AddField(
            model_name='dose',
            name='province',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=10),
        ),
        province.operations(province.DOSES),
    ]
