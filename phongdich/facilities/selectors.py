"""Reads of facilities, beds and stays, already scoped to who asks.

Facilities and their bed figures are organisational data (no person in them), so health
officers read them in their jurisdiction and transfer pickers across the province; a
facility officer reads only their own facility."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.geo.models import AdminUnit
from phongdich.lib.charts import line_chart

from .models import (
    BED_COLUMNS,
    BedType,
    CapacityChange,
    Facility,
    FacilityStaff,
    OccupancyReport,
    ReadinessPlan,
    Stay,
)

# A site is "near full" on the board when this share of one bed type's beds is in use.
NEAR_FULL_SHARE = 0.9
TREND_DAYS = 14


def facilities_visible_to(user, kind: str | None = None) -> QuerySet[Facility]:
    qs = scope_to_jurisdiction(Facility.objects.filter(is_active=True), user, "unit")
    return (qs.filter(kind=kind) if kind else qs).select_related("unit")


# Kinds that take F0 patients, in the order a transfer form offers them.
TREATING_KINDS = (
    Facility.Kind.ISOLATION_SITE,
    Facility.Kind.HOSPITAL_TIER1,
    Facility.Kind.HOSPITAL_TIER2,
    Facility.Kind.HOSPITAL_TIER3,
    Facility.Kind.INTENSIVE_CARE,
)


def _province_path(user) -> str | None:
    unit = getattr(user, "jurisdiction", None)
    if not getattr(user, "is_authenticated", False) or unit is None:
        return None
    return "/" + unit.path.strip("/").split("/")[0] + "/"


def transfer_targets(user) -> QuerySet[Facility]:
    """Facilities a user may transfer an F0 to: every active treating facility of the user's
    province, not only of their own commune (a commune sends patients up to district and
    province hospitals). Facilities hold no personal data, so the wider scope is safe."""
    province_path = _province_path(user)
    if province_path is None:
        return Facility.objects.none()
    return (
        Facility.objects.filter(
            is_active=True, kind__in=TREATING_KINDS, unit__path__startswith=province_path
        )
        .select_related("unit__parent")
        .order_by("kind", "name")
    )


def transfer_choices(user, bed_type: str = BedType.REGULAR) -> QuerySet[Facility]:
    """The transfer form's facility list: the same facilities as `transfer_targets`, most
    free beds of `bed_type` first, each with `free_beds` (full ones are shown but cannot be
    chosen). The one place a transfer's choice is made."""
    total, occupied = BED_COLUMNS[bed_type]
    return (
        transfer_targets(user)
        .select_related("unit__parent")
        .annotate(free_beds=F(total) - F(occupied))
        .order_by("-free_beds", "kind", "name")
    )


def bed_cells(facility: Facility, chosen: str) -> list[dict]:
    """One cell per bed type for the transfer table: free, total, and whether it is the
    type the list is sorted by."""
    return [
        {
            "type": value,
            "label": label,
            "free": facility.free(value),
            "total": facility.beds(value)[0],
            "chosen": value == chosen,
        }
        for value, label in BedType.choices
    ]


# --- the facility register ----------------------------------------------------------------

EDITOR_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)
BOARD_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN, Role.COMMITTEE_MEMBER)


def own_facility_id(user) -> int | None:
    if not user.has_role(Role.FACILITY_OFFICER):
        return None
    link = FacilityStaff.objects.filter(user=user).values_list("facility_id", flat=True).first()
    return link


def facilities_for(user) -> QuerySet[Facility]:
    """Every facility (any status) the user may open: a health officer's jurisdiction, a
    facility officer's own facility, nothing for anyone else."""
    qs = Facility.objects.select_related("unit__parent")
    if user.has_role(*EDITOR_ROLES):
        return scope_to_jurisdiction(qs, user, "unit")
    if user.has_role(Role.FACILITY_OFFICER):
        return qs.filter(pk=own_facility_id(user) or 0)
    return qs.none()


def facility_for(user, pk) -> Facility:
    facility = facilities_for(user).filter(pk=pk).first()
    if facility is None:
        raise Http404
    return facility


def may_edit(user, facility: Facility) -> bool:
    return user.has_role(*EDITOR_ROLES) and facilities_for(user).filter(pk=facility.pk).exists()


@dataclass
class BedFigure:
    bed_type: str
    label: str
    total: int
    occupied: int
    updated_at: datetime | None = None

    @property
    def free(self) -> int:
        return max(self.total - self.occupied, 0)

    @property
    def near_full(self) -> bool:
        return self.total > 0 and self.occupied >= self.total * NEAR_FULL_SHARE


def bed_figures(facility: Facility) -> list[BedFigure]:
    """The facility's beds by type, each with when its capacity last changed."""
    last = dict(
        CapacityChange.objects.filter(facility=facility)
        .values("bed_type")
        .annotate(at=Max("at"))
        .values_list("bed_type", "at")
    )
    return [
        BedFigure(t.value, t.label, *facility.beds(t.value), updated_at=last.get(t.value))
        for t in BedType
    ]


def capacity_history(facility: Facility, limit: int = 50) -> QuerySet[CapacityChange]:
    return facility.capacity_changes.select_related("by")[:limit]


def open_stays(facility: Facility, limit: int = 200) -> QuerySet[Stay]:
    return facility.stays.filter(discharged_at__isnull=True).order_by("-admitted_at")[:limit]


def last_report(facility: Facility) -> OccupancyReport | None:
    return facility.reports.first()


def facility_staff(facility: Facility) -> QuerySet[FacilityStaff]:
    return facility.staff.select_related("user").order_by("user__username")


# --- the bed board --------------------------------------------------------------------------


def board_units(user) -> list[AdminUnit]:
    """The units a board can be shown for: the user's own unit and, for the province,
    each district."""
    unit = getattr(user, "jurisdiction", None)
    if unit is None:
        return []
    children = (
        list(AdminUnit.objects.filter(parent=unit, kind=AdminUnit.Kind.DISTRICT))
        if unit.kind == AdminUnit.Kind.PROVINCE
        else []
    )
    return [unit, *children]


def board_unit(user, code: str | None, units: list[AdminUnit] | None = None) -> AdminUnit:
    units = board_units(user) if units is None else units
    if not units:
        raise Http404
    if not code:
        return units[0]
    unit = next((u for u in units if u.code == code), None)
    if unit is None:  # a commune or a unit outside the jurisdiction: no board
        raise Http404
    return unit


@dataclass
class Board:
    unit: AdminUnit
    # one entry per facility kind: {"kind", "label", "figures": [BedFigure per type]}
    by_kind: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    facilities: list = field(default_factory=list)
    near_full: list = field(default_factory=list)
    trend: list = field(default_factory=list)
    staff: int = 0  # health staff at the open facilities


def _sums():
    sums = {"staff": Sum("health_staff")}
    for bed_type, (total, occupied) in BED_COLUMNS.items():
        sums[f"{bed_type}_total"] = Sum(total)
        sums[f"{bed_type}_occupied"] = Sum(occupied)
    return sums


def bed_board(unit: AdminUnit, *, today: date | None = None) -> Board:
    """Free beds by tier and type in the unit's subtree, the sites near full, and the
    occupancy trend. Facilities not open are left out. Four queries whatever the size."""
    base = Facility.objects.filter(is_active=True, unit__path__startswith=unit.path)
    board = Board(unit=unit)
    kind_labels = dict(Facility.Kind.choices)
    totals = {t: [0, 0] for t in BedType.values}
    for row in base.values("kind").annotate(**_sums()).order_by("kind"):
        figures = []
        for t in BedType:
            total, occupied = row[f"{t.value}_total"] or 0, row[f"{t.value}_occupied"] or 0
            figures.append(BedFigure(t.value, t.label, total, occupied))
            totals[t.value][0] += total
            totals[t.value][1] += occupied
        board.staff += row["staff"] or 0
        board.by_kind.append(
            {"kind": row["kind"], "label": kind_labels[row["kind"]], "figures": figures}
        )
    board.totals = [BedFigure(t.value, t.label, *totals[t.value]) for t in BedType]
    board.facilities = list(base.select_related("unit__parent").order_by("kind", "name"))
    for facility in board.facilities:
        facility.figures = [BedFigure(t.value, t.label, *facility.beds(t.value)) for t in BedType]
        if any(f.near_full for f in facility.figures):
            board.near_full.append(facility)
    board.trend = occupancy_trend(unit, today=today)
    return board


def occupancy_trend(unit: AdminUnit, *, today: date | None = None, days: int = TREND_DAYS):
    """Beds in use at the end of each of the last `days` days, all types together: stays
    open at that moment at sites counting from stays, plus the latest report on or before
    that day at sites that report. Two queries (one conditional count per day)."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    days_list = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    ends = {d: datetime.combine(d + timedelta(days=1), time.min, tzinfo=tz) for d in days_list}
    counted = Stay.objects.filter(
        facility__unit__path__startswith=unit.path,
        facility__occupancy_source=Facility.Source.STAYS,
        admitted_at__lt=ends[today],
    ).aggregate(
        **{
            f"d{n}": Count(
                "pk",
                filter=Q(admitted_at__lt=ends[d])
                & (Q(discharged_at__isnull=True) | Q(discharged_at__gte=ends[d])),
            )
            for n, d in enumerate(days_list)
        }
    )
    reports = (
        OccupancyReport.objects.filter(
            facility__unit__path__startswith=unit.path,
            facility__occupancy_source=Facility.Source.REPORTED,
            day__lte=today,
        )
        .order_by("facility_id", "bed_type", "day", "at")
        .values_list("facility_id", "bed_type", "day", "occupied")
    )
    # The latest report of each (facility, bed type) on or before each day.
    latest: dict = {}
    reported_by_day = dict.fromkeys(days_list, 0)
    rows = list(reports)
    for d in days_list:
        for facility_id, bed_type, day, occupied in rows:
            if day <= d:
                latest[(facility_id, bed_type)] = occupied
        reported_by_day[d] = sum(latest.values())
        latest.clear()
    return [(d, (counted[f"d{n}"] or 0) + reported_by_day[d]) for n, d in enumerate(days_list)]


def trend_chart(trend, width: int = 560, height: int = 140, pad: int = 24) -> dict:
    """The bed-use trend as a server-drawn SVG polyline (lib.charts)."""
    return line_chart(trend, width=width, height=height, pad=pad)


# --- for the epidemic level (218/QĐ-BYT, criterion 3) ---------------------------------------


@dataclass
class TreatmentCapacity:
    unit: AdminUnit
    population: int | None
    beds_total: int
    beds_free: int
    icu_beds_total: int
    icu_beds_free: int

    @property
    def free_beds_per_100k(self) -> float | None:
        if not self.population:
            return None
        return round(self.beds_free * 100_000 / self.population, 1)

    @property
    def icu_beds_per_100k(self) -> float | None:
        if not self.population:
            return None
        return round(self.icu_beds_total * 100_000 / self.population, 1)


def treatment_capacity(unit: AdminUnit) -> TreatmentCapacity:
    """The treatment-capacity figures 218/QĐ-BYT criterion 3 reads for a unit: vacant COVID
    beds per 100,000 population and intensive-care beds (ICU and ventilator beds of open
    treating facilities in the subtree; quarantine sites for F1 are not COVID beds). The
    ratings (high / medium / low) are the epidemic-level capability's: thresholds are
    unconfirmed in RULES.md. One query."""
    sums = Facility.objects.filter(
        is_active=True, kind__in=TREATING_KINDS, unit__path__startswith=unit.path
    ).aggregate(**_sums())
    beds = {t: (sums[f"{t}_total"] or 0, sums[f"{t}_occupied"] or 0) for t in BedType.values}
    total = sum(t for t, _o in beds.values())
    free = sum(max(t - o, 0) for t, o in beds.values())
    icu_total = beds[BedType.ICU][0] + beds[BedType.VENTILATOR][0]
    icu_free = sum(max(t - o, 0) for t, o in (beds[BedType.ICU], beds[BedType.VENTILATOR]))
    return TreatmentCapacity(unit, unit.population, total, free, icu_total, icu_free)


# --- readiness per epidemic level -----------------------------------------------------------


@dataclass
class PlanLine:
    label: str
    needed: int
    existing: int | None  # None: the platform holds no such figure (no supplies app)

    @property
    def gap(self) -> int | None:
        return None if self.existing is None else max(self.needed - self.existing, 0)


def _stock_in(unit: AdminUnit, kinds: tuple[str, ...]) -> int | None:
    """Stock of these item kinds held in the subtree, when the supplies app is installed."""
    from django.apps import apps

    if not apps.is_installed("phongdich.supplies"):
        return None
    from phongdich.supplies.models import StockEntry

    total = StockEntry.objects.filter(
        place__unit__path__startswith=unit.path, item__kind__in=kinds
    ).aggregate(s=Sum("quantity"))["s"]
    return int(total or 0)


def readiness(unit: AdminUnit, totals: list[BedFigure], staff: int | None = None) -> list[dict]:
    """The unit's current plans (the newest of each scenario), each set against the beds
    open today (`totals` of the bed board), the health staff of the open facilities
    (`staff` of the bed board), the oxygen and medicine bags in stock, and the gap."""
    newest: dict[str, ReadinessPlan] = {}
    for plan in ReadinessPlan.objects.filter(unit=unit).order_by("-created_at", "-pk"):
        newest.setdefault(plan.scenario, plan)
    if not newest:
        return []
    beds = {f.bed_type: f.total for f in totals}
    oxygen = _stock_in(unit, ("liquid_oxygen",))
    bags = _stock_in(unit, ("medicine_bag",))
    from django.utils.translation import gettext as _

    result = []
    for plan in sorted(newest.values(), key=lambda p: (p.epidemic_level or 0, p.active_cases)):
        lines = [PlanLine(t.label, plan.beds_needed(t.value), beds[t.value]) for t in BedType]
        lines += [
            PlanLine(_("Nhân lực y tế"), plan.staff, staff),
            PlanLine(_("Oxy lỏng (kg)"), plan.oxygen_kg, oxygen),
            PlanLine(_("Túi thuốc"), plan.medicine_bags, bags),
        ]
        result.append({"plan": plan, "lines": lines})
    return result
