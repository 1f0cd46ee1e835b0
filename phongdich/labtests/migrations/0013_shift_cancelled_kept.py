"""A cancelled shift is kept with who cancelled it, when and why (issue 14), instead of
being deleted. Three nullable/blank columns: reversible, no data to move (shifts cancelled
before this were deleted; the audit log keeps them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('labtests', '0012_partition_samples_postgresql'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='teamshift',
            name='cancel_reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='lý do hủy'),
        ),
        migrations.AddField(
            model_name='teamshift',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='hủy lúc'),
        ),
        migrations.AddField(
            model_name='teamshift',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người hủy'),
        ),
    ]
