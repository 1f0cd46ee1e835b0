"""The desk's configuration held per process: branches, the routing table and the SLA
targets, which every ticket creation read (four queries a ticket) and officials edit rarely.

Kept with lib.configcache: a save or delete of any of these rows (the admin, the policy
pages) reaches every worker within CONFIG_CACHE_STAMP_SECONDS. After a queryset `.update()`
or `bulk_create` of them call `desk_tables_changed()`.
"""

from dataclasses import dataclass

from django.db.models.signals import m2m_changed

from phongdich.accounts.models import User
from phongdich.geo.models import AdminUnit
from phongdich.lib.configcache import ConfigCache

from .. import rules
from ..models import Category, ResponsibleUnit, RoutingRule, SlaPolicy


@dataclass(frozen=True)
class DeskTables:
    categories: dict[str, Category]
    sla_minutes: dict[str, int]
    # Live rules (rule and unit active) by the path of the administrative unit they cover.
    routes_by_path: dict[str, list[rules.Route]]
    province_paths: frozenset[str]
    units: dict[int, ResponsibleUnit]


def _load() -> DeskTables:
    routes: dict[str, list[rules.Route]] = {}
    province_paths = set()
    live = RoutingRule.objects.filter(active=True, unit__active=True).values_list(
        "category__code", "admin_unit__path", "admin_unit__kind", "unit_id"
    )
    for code, path, kind, unit_id in live:
        routes.setdefault(path, []).append(rules.Route(code, path, unit_id))
        if kind == "province":
            province_paths.add(path)
    unit_ids = {route.target for group in routes.values() for route in group}
    return DeskTables(
        categories={c.code: c for c in Category.objects.all()},
        sla_minutes=dict(SlaPolicy.objects.values_list("priority", "minutes")),
        routes_by_path=routes,
        province_paths=frozenset(province_paths),
        units={u.pk: u for u in ResponsibleUnit.objects.filter(pk__in=unit_ids)},
    )


# AdminUnit is watched for the paths and kinds the table is keyed by (a unit saved one by
# one); geography loads in bulk happen before the desk is configured.
_TABLES = ConfigCache(
    "hotline.desk_tables",
    _load,
    watch=(Category, RoutingRule, ResponsibleUnit, SlaPolicy, AdminUnit),
)


def desk_tables() -> DeskTables:
    return _TABLES.get()


def desk_tables_changed() -> None:
    """Call after changing branches, routes, units or SLA targets with `.update()`."""
    _TABLES.invalidate()


def routes_for(commune) -> list[rules.Route]:
    """The live rules that may route a ticket from `commune` (None: the province's)."""
    tables = desk_tables()
    if commune is None:
        paths = tables.province_paths
    else:
        # The commune and its ancestors: "/38/", "/38/380/", "/38/380/14755/".
        parts = commune.path.strip("/").split("/")
        paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return [route for path in paths for route in tables.routes_by_path.get(path, ())]


# Whether a unit has anyone to notify (its own address, or an active focal point with one),
# by unit id, filled as tickets are opened: every ticket asked it of the database (a query
# on the users, issue 17) only to decide whether to queue a notification. Forgotten on any
# save of a unit or a user and on any change of a unit's focal points, as the tables are.
_RECIPIENTS = ConfigCache("hotline.unit_recipients", dict, watch=(ResponsibleUnit, User))
m2m_changed.connect(_RECIPIENTS._changed, sender=ResponsibleUnit.focal_points.through, weak=False)


def unit_has_recipients(unit: ResponsibleUnit | None) -> bool:
    if unit is None:
        return False
    if unit.email:
        return True
    known = _RECIPIENTS.get()
    found = known.get(unit.pk)
    if found is None:
        found = unit.focal_points.filter(is_active=True).exclude(email="").exists()
        known[unit.pk] = found
    return found
