"""Reads of zones, already scoped to who asks. A zone is organisational data (a place, a
decision, counts); its households (address, head, phone) are personal, shown only to the
roles that plan or deliver the food, and each view of them is an audited read."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import scope_to_jurisdiction

from . import rules, thresholds
from .models import (
    Delivery,
    FoodRequest,
    Household,
    HouseholdLink,
    Zone,
    ZoneChange,
    ZoneProposal,
)

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
    # The 1022 tickets linked to each request come in one more query (their numbers show).
    return (
        zone.food_requests.filter(status=FoodRequest.Status.OPEN)
        .select_related("household")
        .prefetch_related("tickets")
    )


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


# --- the household's own page (personal link) -------------------------------------------


def household_by_link(raw: str, today: date | None = None) -> Household | None:
    """The household behind a live link, with its zone, or None: unknown, revoked, expired
    links, and links of a zone ended more than the grace days ago, look the same."""
    link = HouseholdLink.resolve(raw)
    if link is None:
        return None
    household = Household.objects.select_related("zone__commune__parent").get(pk=link.household_id)
    zone = household.zone
    alive = rules.household_link_alive(
        zone_status=zone.status, ended_on=zone.ended_on, today=today or timezone.localdate()
    )
    return household if alive else None


def household_requests(household: Household, limit: int = 10) -> list[FoodRequest]:
    return list(household.requests.order_by("-requested_at", "-id")[:limit])


def household_deliveries(household: Household, limit: int = 20) -> list[Delivery]:
    return list(household.deliveries.order_by("-delivered_on", "-id")[:limit])


# --- the zone's own checkpoints -----------------------------------------------------------

# Who sees travellers by name beside a zone's passages: the checkpoints app lets its officers
# (and the province admin) see every traveller they check, and the commune roles see the
# people heading to their area (checkpoints.selectors.declarations_visible_to).
TRAVELLER_ROLES = (Role.CHECKPOINT_OFFICER, Role.PROVINCE_ADMIN)
DESTINATION_ROLES = (Role.COMMUNE_HEALTH_WORKER, Role.HEALTH_OFFICER)
LATEST_PASSAGES = 20


@dataclass
class ZoneCheckpoints:
    checkpoints: list
    latest: list
    named: list  # the declarations shown by name: one audited read


def zone_checkpoints(user, zone: Zone, now=None) -> ZoneCheckpoints:
    """The zone's checkpoints with today's passages in and out, and the latest passages.
    Three queries whatever the traffic: the checkpoints, the counts grouped by checkpoint
    and direction, the latest passages with their declaration."""
    from phongdich.checkpoints.models import Passage

    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    checkpoints = list(zone.checkpoints.select_related("unit__parent").order_by("name"))
    if not checkpoints:
        return ZoneCheckpoints([], [], [])
    today = Passage.objects.filter(checkpoint__zone=zone, at__gte=start, at__lte=now)
    counts = {
        (row["checkpoint"], row["direction"]): row["n"]
        for row in today.values("checkpoint", "direction").annotate(n=Count("id")).order_by()
    }
    for checkpoint in checkpoints:
        checkpoint.today_in = counts.get((checkpoint.pk, "in"), 0)
        checkpoint.today_out = counts.get((checkpoint.pk, "out"), 0)
    latest = list(
        today.select_related("checkpoint", "declaration__destination_commune").order_by(
            "-at", "-id"
        )[:LATEST_PASSAGES]
    )
    area = getattr(user, "jurisdiction", None)
    every_name = user.has_role(*TRAVELLER_ROLES)
    named = []
    for passage in latest:
        destination = passage.declaration.destination_commune
        passage.show_person = every_name or (
            user.has_role(*DESTINATION_ROLES)
            and area is not None
            and destination is not None
            and destination.is_within(area)
        )
        if passage.show_person:
            named.append(passage.declaration)
    return ZoneCheckpoints(checkpoints, latest, named)
