from django.db import migrations


def backfill(apps, schema_editor):
    # The module's own set-based rebuild (one upsert over people and their reduced doses):
    # the same statement the daily reconciliation runs, so the two cannot disagree.
    from phongdich.vaccination.person_status import refresh_all

    refresh_all()


class Migration(migrations.Migration):
    dependencies = [("vaccination", "0011_person_status"), ("people", "0004_match_referral_and_claimed_id")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
