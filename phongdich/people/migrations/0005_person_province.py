"""The province code on people (issue 17, docs/operations.md "National scale").

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
        ('geo', '0001_initial'),
        ('people', '0004_match_referral_and_claimed_id'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='province',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=10),
        ),
        province.operations(province.PEOPLE),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['province', 'name_key'], name='person_province_name_idx'),
        ),
    ]
