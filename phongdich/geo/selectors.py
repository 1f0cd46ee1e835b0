from django.conf import settings
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


def home_province() -> AdminUnit | None:
    """The province this deployment serves (HOME_PROVINCE_CODE). The national outline
    (every province and district) is loaded too, for travellers' origins; "the province"
    in public forms and searches is always this one."""
    return AdminUnit.objects.filter(
        code=settings.HOME_PROVINCE_CODE, kind=AdminUnit.Kind.PROVINCE
    ).first()


def home_communes() -> QuerySet[AdminUnit]:
    """The home province's communes, for the public forms (ordered by district)."""
    return communes_within(home_province())


def origins() -> QuerySet[AdminUnit]:
    """Every province and district of the country, for a traveller's origin."""
    return AdminUnit.objects.filter(
        kind__in=[AdminUnit.Kind.PROVINCE, AdminUnit.Kind.DISTRICT]
    ).select_related("parent")
