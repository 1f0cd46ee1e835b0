"""Province administrators maintain checkpoints and the list of epidemic areas here."""

from django.contrib import admin

from .models import Checkpoint, DecisionRuleRow, EpidemicArea


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


@admin.register(DecisionRuleRow)
class DecisionRuleRowAdmin(admin.ModelAdmin):
    list_display = ("position", "key", "decision", "reason", "active", "unconfirmed")
    list_editable = ("active",)
    ordering = ("position",)
