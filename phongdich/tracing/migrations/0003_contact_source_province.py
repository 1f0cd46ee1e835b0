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


def _sqlite(action):
    """SQLite rebuilds the table to add the column, which drops its `province` triggers:
    off before, made again after."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            action(schema_editor, province.CONTACTS)

    return run


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
            _sqlite(province.uninstall), _sqlite(province.install), elidable=False
        ),
        migrations.AddField(
            model_name='contact',
            name='source_province',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=10),
        ),
        migrations.RunPython(
            _sqlite(province.install), _sqlite(province.uninstall), elidable=False
        ),
        province.operations(province.CONTACT_SOURCES),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['source_province', 'status'], name='contact_source_province_idx'),
        ),
    ]
