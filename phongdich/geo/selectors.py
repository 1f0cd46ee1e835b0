from django.db.models import QuerySet

from .models import AdminUnit


def units_within(unit: AdminUnit | None, kind: str | None = None) -> QuerySet[AdminUnit]:
    """Units in `unit`'s subtree (itself included); nothing when there is no unit."""
    if unit is None:
        return AdminUnit.objects.none()
    qs = AdminUnit.objects.filter(path__startswith=unit.path)
    return qs.filter(kind=kind) if kind else qs


def communes_within(unit: AdminUnit | None) -> QuerySet[AdminUnit]:
    return units_within(unit, AdminUnit.Kind.COMMUNE).select_related("parent")
