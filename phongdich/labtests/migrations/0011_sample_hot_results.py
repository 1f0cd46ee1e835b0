"""A result written on a sample becomes a HOT update (issue 14: the import's UPDATE of
200,000 samples dominated it, every row version entering all 19 indexes).

- No index holds a column a result writes: the lab's-id key names `lab_key` (the lab of a
  row with a lab's id, else NULL, a stored generated column) instead of `lab`, and
  `resulted_by` loses its foreign-key index (never a filter).
- Redundant indexes go: commune, campaign and round (each the first column of a composite
  index), taken_by (never a filter) and, on PostgreSQL, the barcode's LIKE index (no
  query matches a code by prefix). 19 indexes become 13.
- PostgreSQL: fill factor 50, set before the generated column's table rewrite so the rows
  already there are rewritten with room on their page for their result's row version.

SQLite remakes the table for these steps, which drops its triggers: the province triggers
(geo.province, migration 0010) are installed again at the end."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from phongdich.geo import province

FILLFACTOR = 50
LIKE_INDEX = "labtests_sample_barcode_52f574ea_like"


def storage(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE labtests_sample SET (fillfactor = {FILLFACTOR})")
    schema_editor.execute(f"DROP INDEX IF EXISTS {LIKE_INDEX}")


def storage_back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE labtests_sample RESET (fillfactor)")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {LIKE_INDEX} ON labtests_sample "
        "(barcode varchar_pattern_ops)"
    )


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        province.uninstall(schema_editor, province.SAMPLES)
        province.install(schema_editor, province.SAMPLES)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_case_healthcheck_province'),
        ('geo', '0001_initial'),
        ('labtests', '0010_sample_province'),
        ('people', '0005_person_province'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Going back, this runs last: after the remakes, the triggers again.
        migrations.RunPython(migrations.RunPython.noop, triggers, elidable=False),
        migrations.RunPython(storage, storage_back, elidable=False),
        migrations.RemoveConstraint(
            model_name='sample',
            name='labtests_sample_lab_id_uniq',
        ),
        migrations.AddField(
            model_name='sample',
            name='lab_key',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(models.Q(('lab_sample_id', ''), _negated=True), then=models.F('lab')), default=None), output_field=models.CharField(max_length=60, null=True)),
        ),
        migrations.AlterField(
            model_name='sample',
            name='campaign',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='samples', to='labtests.campaign'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='commune',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.adminunit', verbose_name='xã/phường'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='resulted_by',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='sample',
            name='round',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='samples', to='labtests.screeninground'),
        ),
        migrations.AlterField(
            model_name='sample',
            name='taken_by',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='sample',
            constraint=models.UniqueConstraint(condition=models.Q(('lab_sample_id', ''), _negated=True), fields=('lab_sample_id', 'lab_key'), name='labtests_sample_lab_id_uniq'),
        ),
        migrations.RunPython(triggers, triggers, elidable=False),
    ]
