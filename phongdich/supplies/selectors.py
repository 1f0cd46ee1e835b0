"""Reads of stock: balances from the ledger, consumption, days of supply and alerts, scoped
to who asks. Stock figures are organisational data (no person in them)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.facilities.selectors import own_facility_id
from phongdich.geo.models import AdminUnit

from . import rules
from .models import AlertThreshold, Item, Place, StockBalance, StockEntry, SupplyRequest

BOARD_ROLES = (
    Role.HEALTH_OFFICER,
    Role.PROVINCE_ADMIN,
    Role.COMMITTEE_MEMBER,
    Role.COMMUNE_HEALTH_WORKER,
)
# Who records movements: the board's roles but the committee, and a facility's own staff.
WRITER_ROLES = (
    Role.HEALTH_OFFICER,
    Role.PROVINCE_ADMIN,
    Role.COMMUNE_HEALTH_WORKER,
    Role.FACILITY_OFFICER,
)


def places_for(user) -> QuerySet[Place]:
    qs = Place.objects.select_related("unit__parent", "facility")
    if user.has_role(Role.FACILITY_OFFICER):
        return qs.filter(facility_id=own_facility_id(user) or 0)
    if user.has_role(*BOARD_ROLES):
        return scope_to_jurisdiction(qs, user, "unit")
    return qs.none()


def place_for(user, pk) -> Place:
    place = places_for(user).filter(pk=pk).first()
    if place is None:
        raise Http404
    return place


def transfer_destinations(user) -> QuerySet[Place]:
    """Any stock place of the user's province: a district sends oxygen to a hospital of
    the province, a province warehouse to every district."""
    unit = getattr(user, "jurisdiction", None)
    if unit is None:
        facility_id = own_facility_id(user)
        if facility_id is None:
            return Place.objects.none()
        from phongdich.facilities.models import Facility

        unit = Facility.objects.select_related("unit").get(pk=facility_id).unit
    province = "/" + unit.path.strip("/").split("/")[0] + "/"
    return Place.objects.filter(unit__path__startswith=province).select_related("unit__parent")


def thresholds() -> dict[str, int]:
    """Item kind -> alert threshold in hours: the province's rows over the defaults."""
    table = dict(rules.DEFAULT_THRESHOLD_HOURS)
    for row in AlertThreshold.objects.filter(active=True):
        table[row.item_kind] = row.hours
    return table


@dataclass
class StockLine:
    place: Place
    item: Item
    supply: rules.Supply


def stock_lines(places: QuerySet[Place], *, now: datetime | None = None) -> list[StockLine]:
    """Balance, consumption and days of supply of every item held at each place. Six
    queries whatever the number of places: the places, the balances, the issues of the
    window, its corrections of issues, the thresholds and the items. Now, the balances are the ones kept on write
    (`StockBalance`); as of another moment (`now` given: the alert scan, the tests of the
    threshold) they are summed from the ledger up to it."""
    as_of = now
    now = now or timezone.now()
    since = now - timedelta(days=rules.RATE_WINDOW_DAYS)
    by_place = {p.pk: p for p in places}
    place_ids = list(by_place)
    if as_of is None:
        balances = {
            (place_id, item_id): quantity
            for place_id, item_id, quantity in StockBalance.objects.filter(
                place_id__in=place_ids
            ).values_list("place_id", "item_id", "quantity")
        }
    else:
        balances = {
            (r["place_id"], r["item_id"]): r["total"]
            for r in StockEntry.objects.filter(place_id__in=place_ids, occurred_at__lte=now)
            .values("place_id", "item_id")
            .annotate(total=Sum("quantity"))
        }
    # One read of the recent entries gives both the issues of the window and, for the kept
    # balances, what is dated after now (an entry recorded ahead counts from its moment).
    window = StockEntry.objects.filter(place_id__in=place_ids, occurred_at__gt=since)
    used, ahead = {}, {}
    for r in window.values("place_id", "item_id").annotate(
        issued=Sum("quantity", filter=Q(kind=StockEntry.Kind.ISSUE, occurred_at__lte=now)),
        ahead=Sum("quantity", filter=Q(occurred_at__gt=now)),
    ):
        key = (r["place_id"], r["item_id"])
        used[key] = r["issued"] or 0
        ahead[key] = r["ahead"] or 0
    # A correction of an issue is consumption too. Corrections are few: reading them apart
    # joins only them to the entries they correct, where one read with the join hashed the
    # whole ledger on every view of the board.
    for r in (
        window.filter(
            kind=StockEntry.Kind.CORRECTION,
            corrects__kind=StockEntry.Kind.ISSUE,
            occurred_at__lte=now,
        )
        .values("place_id", "item_id")
        .annotate(total=Sum("quantity"))
    ):
        key = (r["place_id"], r["item_id"])
        used[key] = used.get(key, 0) + r["total"]
    issued = {key: -quantity for key, quantity in used.items()}
    if as_of is None:
        for key, quantity in ahead.items():
            if key in balances:
                balances[key] -= quantity
    table = thresholds()
    items = {i.pk: i for i in Item.objects.all()}
    lines = []
    for (place_id, item_id), balance in sorted(balances.items()):
        item = items[item_id]
        figures = rules.supply(
            balance or Decimal(0), issued.get((place_id, item_id), Decimal(0)), table.get(item.kind)
        )
        lines.append(StockLine(by_place[place_id], item, figures))
    lines.sort(key=lambda line: (not line.supply.alert, line.item.kind, line.place.name))
    return lines


def supply_board(unit: AdminUnit, *, now=None) -> list[StockLine]:
    places = Place.objects.filter(unit__path__startswith=unit.path).select_related(
        "unit__parent", "facility"
    )
    return stock_lines(places, now=now)


@dataclass
class AreaLine:
    """One item summed over the places of one district: what the province board shows
    instead of one row per commune station (a province has ~600 stock places)."""

    area: AdminUnit
    item: Item
    supply: rules.Supply
    places: int
    alerting: int


def by_area(
    unit: AdminUnit, lines: list[StockLine], districts: list[AdminUnit] | None = None
) -> tuple[list[StockLine], list[AreaLine]]:
    """Split the board of a province into the places held at the province itself (its
    warehouse) and one line per district and item. Days of supply of a district are its
    summed stock over its summed use, so one well-stocked warehouse and an empty station do
    not average into a calm figure: the district line also counts the places in alert."""
    if unit.kind != AdminUnit.Kind.PROVINCE:
        return lines, []
    if districts is None:
        districts = AdminUnit.objects.filter(parent=unit, kind=AdminUnit.Kind.DISTRICT)
    districts = {d.path: d for d in districts if d.parent_id == unit.pk}
    own, sums = [], {}
    for line in lines:
        parts = line.place.unit.path.strip("/").split("/")
        area = districts.get("/" + "/".join(parts[:2]) + "/") if len(parts) >= 2 else None
        if area is None:
            own.append(line)
            continue
        key = (area.path, line.item.pk)
        entry = sums.setdefault(key, [area, line.item, Decimal(0), Decimal(0), 0, 0, None])
        entry[2] += line.supply.balance
        entry[3] += line.supply.per_hour
        entry[4] += 1
        entry[5] += int(line.supply.alert)
        entry[6] = line.supply.threshold_hours
    areas = []
    for area, item, balance, per_hour, places, alerting, threshold in sums.values():
        window = rules.RATE_WINDOW_DAYS * 24
        supply = rules.supply(balance, per_hour * window, threshold)
        areas.append(AreaLine(area, item, supply, places, alerting))
    areas.sort(key=lambda a: (-a.alerting, a.item.kind, a.area.name))
    return own, areas


def alerts(unit: AdminUnit, *, now=None) -> list[StockLine]:
    return [line for line in supply_board(unit, now=now) if line.supply.alert]


def ledger(place: Place, limit: int = 200) -> QuerySet[StockEntry]:
    return place.entries.select_related("item", "by", "counterpart", "corrects")[:limit]


# --- requests -------------------------------------------------------------------------------

DECIDER_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)


def requests_for(user) -> QuerySet[SupplyRequest]:
    """Requests from the places the user reaches, open ones first by need."""
    return (
        SupplyRequest.objects.filter(place__in=places_for(user))
        .select_related("place__unit__parent", "item")
        .order_by("status", "needed_by", "pk")
    )


def request_for(user, pk) -> SupplyRequest:
    found = requests_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def may_decide(user, request: SupplyRequest) -> bool:
    return user.has_role(*DECIDER_ROLES) and places_for(user).filter(pk=request.place_id).exists()


def fulfilment_sources(user, request: SupplyRequest) -> QuerySet[Place]:
    """Places the decider may send from: their own places holding the item."""
    holding = StockEntry.objects.filter(item=request.item).values("place_id")
    return places_for(user).filter(pk__in=holding).exclude(pk=request.place_id)
