"""Seed 218's new policy rows (levels/rules.py): the care-team workload thresholds of the
response capacity and the threshold of new cases needing oxygen or ventilation, all
unconfirmed. Rows already present are left as they are."""

from django.db import migrations

KEYS = ("capacity_high_home", "capacity_medium_home", "severe_per_100k")


def seed(apps, schema_editor):
    from phongdich.levels.thresholds import seed_rows

    LevelRule = apps.get_model("levels", "LevelRule")
    for fields in seed_rows():
        if fields["key"] in KEYS:
            LevelRule.objects.get_or_create(
                rules=fields["rules"],
                key=fields["key"],
                valid_from=fields["valid_from"],
                defaults=fields,
            )


class Migration(migrations.Migration):
    dependencies = [("levels", "0007_simplified_outlines")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
