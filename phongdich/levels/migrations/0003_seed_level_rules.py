"""Seed the level thresholds from the regulations' values (levels/rules.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from phongdich.levels.thresholds import seed_rows

    LevelRule = apps.get_model("levels", "LevelRule")
    for fields in seed_rows():
        LevelRule.objects.get_or_create(
            rules=fields["rules"], key=fields["key"], valid_from=fields["valid_from"],
            defaults=fields,
        )


class Migration(migrations.Migration):
    dependencies = [("levels", "0002_level_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
