"""Seed each rule set's start day from the regulations (levels/rules.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from phongdich.levels.thresholds import start_seed_rows

    RuleSetStart = apps.get_model("levels", "RuleSetStart")
    for fields in start_seed_rows():
        if not RuleSetStart.objects.filter(rules=fields["rules"]).exists():
            RuleSetStart.objects.create(**fields)


class Migration(migrations.Migration):
    dependencies = [("levels", "0005_rule_set_starts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
