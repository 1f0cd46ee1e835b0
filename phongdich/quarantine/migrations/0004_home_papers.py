"""Home quarantine's papers move onto the one quarantine record: the commitment signed and
the door sign posted. The checkpoints' home quarantines already moved (0002) carry their
marks over, matched by hand-over; the checkpoints rows are not changed, so the reverse only
drops the columns."""

from django.db import migrations, models


def copy_marks(apps, schema_editor):
    HomeQuarantine = apps.get_model("checkpoints", "HomeQuarantine")
    Quarantine = apps.get_model("quarantine", "Quarantine")
    marked = HomeQuarantine.objects.exclude(handover_id=None).filter(
        models.Q(commitment_signed_at__isnull=False) | models.Q(door_sign_posted_at__isnull=False)
    )
    for home in marked.iterator(chunk_size=1000):
        Quarantine.objects.filter(handover_id=home.handover_id).update(
            commitment_signed_at=home.commitment_signed_at,
            door_sign_posted_at=home.door_sign_posted_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quarantine", "0003_test_orders"),
        ("checkpoints", "0007_citations_without_working_notes"),
    ]

    operations = [
        migrations.AddField(
            model_name="quarantine",
            name="commitment_signed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="quarantine",
            name="door_sign_posted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(copy_marks, migrations.RunPython.noop),
    ]
