from django.contrib import admin

from .models import Official, OfficialAlias, OrgUnit, OrgUnitAlias, ReporterMembership


class OrgUnitAliasInline(admin.TabularInline):
    model = OrgUnitAlias
    fields = ["text", "key"]
    readonly_fields = ["key"]
    extra = 1


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "admin_unit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "aliases__text"]
    raw_id_fields = ["admin_unit", "parent"]
    inlines = [OrgUnitAliasInline]


class OfficialAliasInline(admin.TabularInline):
    model = OfficialAlias
    fields = ["text", "key"]
    readonly_fields = ["key"]
    extra = 1


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "org"]
    search_fields = ["name", "title"]
    inlines = [OfficialAliasInline]


@admin.register(ReporterMembership)
class ReporterMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "created_at"]
    raw_id_fields = ["user", "unit"]
