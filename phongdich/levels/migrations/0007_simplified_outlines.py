"""The outline the level map draws: each imported geometry simplified (levels/simplify.py),
filled for the outlines imported before."""

from django.db import migrations, models


def simplify_existing(apps, schema_editor):
    from phongdich.levels.simplify import positions, simplify_geometry

    UnitShape = apps.get_model("levels", "UnitShape")
    for shape in UnitShape.objects.filter(simplified__isnull=True).iterator(chunk_size=200):
        shape.simplified = simplify_geometry(shape.geometry)
        shape.simplified_points = positions(shape.simplified)
        shape.save(update_fields=["simplified", "simplified_points"])


class Migration(migrations.Migration):
    dependencies = [("levels", "0006_seed_rule_set_starts")]

    operations = [
        migrations.AddField(
            model_name="unitshape",
            name="simplified",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="unitshape",
            name="simplified_points",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(simplify_existing, migrations.RunPython.noop),
    ]
