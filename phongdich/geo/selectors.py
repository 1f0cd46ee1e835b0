import copy

from django.conf import settings
from django.db.models import QuerySet

from phongdich.lib.configcache import ConfigCache

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


# Units by code, filled as write paths look them up (a declaration's destination and origin,
# a ticket's commune: one query each per request before, issue 17). A ConfigCache: a save
# or delete of any unit empties it in every worker within CONFIG_CACHE_STAMP_SECONDS; the
# bulk loads call `units_changed()`. A code not found is not remembered, so a unit loaded
# later is found at once.
_BY_CODE = ConfigCache("geo.units_by_code", dict, watch=(AdminUnit,))


def unit_by_code(code: str, kind: str | None = None) -> AdminUnit | None:
    """The unit with this code (and kind, when given), or None; no query once this process
    has looked the code up. A copy: a caller setting attributes on it changes no one else's."""
    if not code:
        return None
    units = _BY_CODE.get()
    unit = units.get(code)
    if unit is None:
        unit = AdminUnit.objects.filter(code=code).first()
        if unit is None:
            return None
        units[code] = unit
    if kind and unit.kind != kind:
        return None
    return copy.copy(unit)


def units_changed() -> None:
    """Call after changing units with bulk_create, bulk_update or `.update()`."""
    _BY_CODE.invalidate()
