"""Checkpoints and epidemic areas for the technical administrator.

Policy rows (the decision table, quarantine rules) are not here: the province edits them on
the audited policy pages (/policy/), see docs/checkpoints.md."""

from django.contrib import admin

from .models import Checkpoint, EpidemicArea


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ("name", "gate", "kind", "unit", "active")
    list_filter = ("kind", "active")
    raw_id_fields = ("unit",)


@admin.register(EpidemicArea)
class EpidemicAreaAdmin(admin.ModelAdmin):
    list_display = ("unit", "level", "valid_from", "valid_to", "note")
    list_filter = ("level",)
    raw_id_fields = ("unit",)
