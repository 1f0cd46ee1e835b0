"""List the F0s who already needed a transfer before the "Cần chuyển tuyến" section existed:
an escalated danger alert with no transfer recorded, ineligible for home care while at home,
or severe/critical while at home or in an isolation site (the rules of
services/transfer_need.py, in the order it applies them)."""

from django.db import migrations
from django.utils import timezone

OPEN = ("pending", "active", "transferred")
NOT_A_HOSPITAL = ("home", "isolation")


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Alert = apps.get_model("cases", "Alert")
    now = timezone.now()
    base = Case.objects.filter(status__in=OPEN[1:], transfer_need="")
    escalated = Alert.objects.filter(status="escalated", outcome="").values("case_id")
    base.filter(pk__in=escalated, treatment_place__in=NOT_A_HOSPITAL).update(
        transfer_need="alert", transfer_need_since=now
    )
    base.filter(
        transfer_need="", severity__in=("severe", "critical"), treatment_place__in=NOT_A_HOSPITAL
    ).update(transfer_need="severe", transfer_need_since=now)
    base.filter(transfer_need="", home_care_eligible=False, treatment_place="home").update(
        transfer_need="ineligible", transfer_need_since=now
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_alert_outcome_case_transfer_need_and_more")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
