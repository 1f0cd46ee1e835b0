"""Reads of zones, already scoped to who asks. A zone is organisational data (a place, a
decision, counts); its households (address, head, phone) are personal, shown only to the
roles that plan or deliver the food, and each view of them is an audited read."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import scope_to_jurisdiction

from . import rules, thresholds
from .models import Delivery, FoodRequest, Household, Zone, ZoneChange, ZoneProposal

VIEW_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.COMMITTEE_MEMBER,
    Role.HEALTH_OFFICER,
    Role.COMMUNE_HEALTH_WORKER,
    Role.RELIEF_OFFICER,
)
PROPOSER_ROLES = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER, Role.COMMUNE_HEALTH_WORKER)
# The food plan: the commune team takes requests; relief centres and the commune deliver.
SUPPLY_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.HEALTH_OFFICER,
    Role.COMMUNE_HEALTH_WORKER,
    Role.RELIEF_OFFICER,
)
# Who sees, beside a person or an address, that it lies inside an active zone.
LOOKUP_ROLES = (Role.CHECKPOINT_OFFICER, Role.HOTLINE_AGENT, *VIEW_ROLES)


def zones_for(user) -> QuerySet[Zone]:
    return scope_to_jurisdiction(Zone.objects.all(), user, "commune").select_related(
        "commune__parent"
    )


def zone_for(user, pk: int) -> Zone:
    zone = zones_for(user).filter(pk=pk).first()
    if zone is None:
        raise Http404
    return zone


def zone_list(user, *, status: str | None = None, district: int | None = None) -> QuerySet[Zone]:
    qs = zones_for(user).annotate(
        open_requests=Count(
            "food_requests", filter=Q(food_requests__status=FoodRequest.Status.OPEN)
        )
    )
    if status in Zone.Status.values:
        qs = qs.filter(status=status)
    if district:
        qs = qs.filter(commune__parent_id=district)
    return qs.order_by("status", "commune__parent__name", "commune__name", "name")


def active_zones_at(user, unit) -> list[Zone]:
    """Active zones of a commune, for the checkpoint lookup and the hotline caller card.
    Only the zone's name, measure and decision: nothing about who lives in it."""
    if unit is None or not user.has_role(*LOOKUP_ROLES):
        return []
    qs = scope_to_jurisdiction(Zone.objects.filter(status=Zone.Status.IN_FORCE), user, "commune")
    return list(qs.filter(Q(commune=unit) | Q(other_communes=unit)).distinct().order_by("name"))


def history(zone: Zone) -> QuerySet[ZoneChange]:
    return zone.changes.select_related("by").order_by("-at", "-id")


def proposals(zone: Zone) -> QuerySet[ZoneProposal]:
    return zone.proposals.select_related("proposed_by", "decided_by")


def pending_proposal(zone: Zone) -> ZoneProposal | None:
    return zone.proposals.filter(status=ZoneProposal.Status.PENDING).first()


@dataclass
class SupplySummary:
    households: int
    people: int
    open_requests: int
    portions_requested: int
    portions_outstanding: int
    portions_delivered: int


def supply_summary(zone: Zone) -> SupplySummary:
    households = zone.households.aggregate(n=Count("id"), people=Sum("people"))
    open_pairs = list(
        zone.food_requests.filter(status=FoodRequest.Status.OPEN).values_list(
            "portions", "portions_delivered"
        )
    )
    requested = zone.food_requests.aggregate(total=Sum("portions"))["total"] or 0
    delivered = zone.deliveries.aggregate(total=Sum("portions"))["total"] or 0
    return SupplySummary(
        households=households["n"] or 0,
        people=households["people"] or 0,
        open_requests=len(open_pairs),
        portions_requested=requested,
        portions_outstanding=rules.outstanding_portions(open_pairs),
        portions_delivered=delivered,
    )


def households_with_last_delivery(zone: Zone) -> list[Household]:
    return list(
        zone.households.annotate(last_delivery=Max("deliveries__delivered_on")).order_by("address")
    )


def food_gaps(zones: QuerySet[Zone], today: date, days: int | None = None) -> list[Household]:
    """Households of zones in force with no delivery for `days` days or more (the policy
    row in force today when not given), longest wait first; each carries `waited` (days).
    Two queries: the rule, the households."""
    if days is None:
        days = thresholds.food_gap_days(today).value
    rows = (
        Household.objects.filter(zone__in=zones.filter(status=Zone.Status.IN_FORCE))
        .select_related("zone__commune__parent")
        .annotate(last_delivery=Max("deliveries__delivered_on"))
    )
    gaps = []
    for household in rows:
        since = max(filter(None, [household.zone.started_on, household.created_at.date()]))
        waited = rules.food_gap(
            last_delivery_on=household.last_delivery, since=since, today=today, days=days
        )
        if waited is not None:
            household.waited = waited
            gaps.append(household)
    return sorted(gaps, key=lambda h: -h.waited)


def open_requests(zone: Zone) -> QuerySet[FoodRequest]:
    return zone.food_requests.filter(status=FoodRequest.Status.OPEN).select_related("household")


def recent_deliveries(zone: Zone, limit: int = 50) -> QuerySet[Delivery]:
    return zone.deliveries.select_related("household", "by")[:limit]


def map_points(user) -> list[dict]:
    """Active zones with a point, for the map (no personal data)."""
    qs = zones_for(user).filter(status=Zone.Status.IN_FORCE).exclude(latitude=None)
    return [
        {
            "name": z.name,
            "place": z.commune.label(),
            "measure": str(z.get_measure_display()),
            "lat": float(z.latitude),
            "lng": float(z.longitude),
            "id": z.pk,
        }
        for z in qs.exclude(longitude=None)
    ]


def _readable(field_name: str, value) -> str:
    """A stored history value in the reader's words: choice labels, dd/mm/yyyy dates."""
    if value in (None, ""):
        return "—"
    field = Zone._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return str(value)


def history_rows(zone: Zone) -> list[dict]:
    rows = []
    for change in history(zone):
        lines = [
            {
                "field": str(Zone._meta.get_field(key).verbose_name),
                "before": _readable(key, change.before.get(key)),
                "after": _readable(key, value),
            }
            for key, value in change.after.items()
            if key in {f.name for f in Zone._meta.fields}
        ]
        rows.append({"change": change, "lines": lines})
    return rows
