"""The province of a contact's source (issue 17, docs/operations.md "National scale").

A contact is on the list of the commune where it lives and of the commune whose F0 listed
it (`source_commune`), which may be in another province. `source_province` is that
commune's code, filled like `province` (geo.province triggers on every insert path, the
rows already there backfilled by id ranges), so the list's second branch names a province
too and walks `contact_source_province_idx` instead of every contact. Reversible.
"""

from django.conf import settings
from django.db import migrations, models

from phongdich.geo import province



class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_case_healthcheck_province'),
        ('geo', '0001_initial'),
        ('people', '0005_person_province'),
        ('tracing', '0002_contact_province'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(
            province.on_sqlite(province.uninstall, province.CONTACTS), province.on_sqlite(province.install, province.CONTACTS), elidable=False
        ),
        migrations.AddField(
            model_name='contact',
            name='source_province',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=10),
        ),
        migrations.RunPython(
            province.on_sqlite(province.install, province.CONTACTS), province.on_sqlite(province.uninstall, province.CONTACTS), elidable=False
        ),
        province.operations(province.CONTACT_SOURCES),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['source_province', 'status'], name='contact_source_province_idx'),
        ),
    ]
