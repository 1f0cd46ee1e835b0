"""Reads of the risk classification: each commune's (and each zone's) figures over the
rules' windows and the class they reach (issue 14, seed 004).

Set-based: three grouped queries per window whatever the number of communes (new cases in
the community from `cases`, positive screening samples from `labtests`, clusters from
`tracing`), then the pure rule (`rules.classify`) per area in memory. The figures are read
from the records themselves, not from the daily `stats.UnitFigure` rows the epidemic
levels read: those are written by a job for closed days, and a classification asked for
today must count today's cases too (the same definitions: a case's diagnosis day, pending
cases left out; a sample's individual result, a pool's presumption left out).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from phongdich.geo.models import AdminUnit
from phongdich.geo.province import province_of_path
from phongdich.geo.selectors import communes_within

from . import rules, thresholds
from .models import Zone, ZoneProposal

# Cases found in a quarantine facility or inside a lockdown are not "in the community"
# (2686/QĐ-BCĐQG and the epidemic levels count community cases; a case found by a
# screening round was living in the community).
COMMUNITY_SETTINGS = ("community", "screening")
# Who sees the classification list: as the zones list.
CLASS_ZONE_STATUSES = (Zone.Status.PROPOSED, Zone.Status.IN_FORCE)


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def figures(
    commune_ids, day: date, windows, *, populations: dict[int, int | None], province: str = ""
) -> dict[int, dict[int, rules.Figures]]:
    """{window: {commune id: Figures}} over the days (day - window, day] (three queries per
    window). `province` narrows the partitioned tables to one province's partition."""
    from phongdich.cases.models import Case, CaseStatus
    from phongdich.labtests.models import Result, Sample
    from phongdich.tracing.models import Cluster, ClusterStatus

    ids = list(commune_ids)
    out: dict[int, dict[int, rules.Figures]] = {}
    for window in sorted(set(windows)):
        first = day - timedelta(days=window - 1)
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        cases = Case.objects.filter(
            commune_id__in=ids,
            diagnosed_on__gte=first,
            diagnosed_on__lte=day,
            detection__in=COMMUNITY_SETTINGS,
        ).exclude(status=CaseStatus.PENDING)
        samples = Sample.objects.filter(
            commune_id__in=ids,
            reason=Sample.Reason.SCREENING,
            result=Result.POSITIVE,
            presumptive=False,
            taken_at__gte=_local_start(first),
            taken_at__lt=_local_start(day + timedelta(days=1)),
        )
        if province:
            cases, samples = cases.filter(province=province), samples.filter(province=province)
        for unit_id, n in cases.values_list("commune_id").annotate(n=Count("pk")).order_by():
            counts[unit_id]["cases"] = n
        for unit_id, n in samples.values_list("commune_id").annotate(n=Count("pk")).order_by():
            counts[unit_id]["positives"] = n
        # A cluster counts when it was open on some day of the window.
        clusters = (
            Cluster.objects.filter(commune_id__in=ids, opened_on__lte=day)
            .filter(Q(status=ClusterStatus.ACTIVE) | Q(closed_on__gte=first))
            .values_list("commune_id")
            .annotate(n=Count("pk"), unknown=Count("pk", filter=Q(source_not_found=True)))
            .order_by()
        )
        for unit_id, n, unknown in clusters:
            counts[unit_id]["clusters"] = n
            counts[unit_id]["clusters_no_source"] = unknown
        out[window] = {
            unit_id: rules.Figures(population=populations.get(unit_id), **counts.get(unit_id, {}))
            for unit_id in ids
        }
    return out


def area_figures(by_window, commune_ids):
    """`figures_for(window)` of an area over several communes (a zone touching others)."""

    def figures_for(window: int) -> rules.Figures:
        total = None
        for unit_id in commune_ids:
            one = by_window[window].get(unit_id, rules.Figures())
            total = one if total is None else total + one
        return total or rules.Figures()

    return figures_for


@dataclass
class CommuneRow:
    commune: AdminUnit
    figures: rules.Figures  # over the first (shortest) window, for the table
    result: rules.Classification
    zone: Zone | None = None  # its commune-wide class zone, proposed or in force
    pending: ZoneProposal | None = None
    reasons: list = field(default_factory=list)

    @property
    def current_class(self) -> str:
        if self.zone is not None and self.zone.status == Zone.Status.IN_FORCE:
            return self.zone.risk_class
        return ""

    @property
    def result_label(self) -> str:
        return class_label(self.result.risk_class)

    @property
    def current_label(self) -> str:
        return class_label(self.current_class)

    @property
    def pending_label(self) -> str:
        return class_label(self.pending.risk_class) if self.pending else ""

    @property
    def differs(self) -> bool:
        current = self.current_class or (rules.GREEN if self.zone is None else "")
        return bool(current) and current != self.result.risk_class


def class_zones(commune_ids) -> dict[int, Zone]:
    """Each commune's commune-wide zone carrying a class (in force before proposed)."""
    chosen: dict[int, Zone] = {}
    for zone in (
        Zone.objects.filter(
            commune_id__in=list(commune_ids),
            kind=Zone.Kind.COMMUNE,
            status__in=CLASS_ZONE_STATUSES,
        )
        .exclude(risk_class="")
        .order_by("-status", "-pk")  # "proposed" < "in_force": in force first
    ):
        chosen.setdefault(zone.commune_id, zone)
    return chosen


def class_labels() -> dict:
    return dict(Zone.RiskClass.choices)


def class_label(value: str) -> str:
    return str(class_labels().get(value, "")) if value else ""


@dataclass(frozen=True)
class RuleView:
    """A class's rule in force, for the page (with the class in words)."""

    rule: rules.ClassRule

    def __getattr__(self, name):
        return getattr(self.rule, name)

    @property
    def label(self) -> str:
        return class_label(self.rule.risk_class)


def commune_classes(root: AdminUnit | None, day: date, *, district: int | None = None):
    """Every commune of `root`'s subtree (or one district of it) with its figures, its
    computed class and reasons, its class zone and pending proposal. A fixed number of
    queries whatever the number of communes: communes, the rules, three per window, the
    class zones, their pending proposals."""
    communes_qs = communes_within(root).order_by("parent__name", "name")
    if district:
        communes_qs = communes_qs.filter(parent_id=district)
    communes = list(communes_qs)
    if not communes:
        return [], thresholds.class_rules_in_force(day)
    class_rules = thresholds.class_rules_in_force(day)
    windows = [r.window_days for r in class_rules]
    ids = [c.pk for c in communes]
    by_window = figures(
        ids,
        day,
        windows,
        populations={c.pk: c.population for c in communes},
        province=province_of_path(root.path),
    )
    zones = class_zones(ids)
    pending = {
        p.zone_id: p
        for p in ZoneProposal.objects.filter(
            zone_id__in=[z.pk for z in zones.values()], status=ZoneProposal.Status.PENDING
        )
    }
    labels = class_labels()
    rows = []
    first = min(windows)
    for commune in communes:
        figures_for = area_figures(by_window, [commune.pk])
        result = rules.classify(figures_for, class_rules)
        zone = zones.get(commune.pk)
        basis = rules.basis_of(result, figures_for, class_rules, day)
        rows.append(
            CommuneRow(
                commune=commune,
                figures=figures_for(first),
                result=result,
                zone=zone,
                pending=pending.get(zone.pk) if zone else None,
                reasons=rules.reasons(basis, labels),
            )
        )
    return rows, class_rules


def zone_class(zone: Zone, day: date) -> tuple[rules.Classification, list[str]]:
    """The class a zone's communes' figures give on `day` (its own and those it touches),
    with the reasons, for the zone's page (five queries)."""
    ids = [zone.commune_id, *zone.other_communes.values_list("pk", flat=True)]
    class_rules = thresholds.class_rules_in_force(day)
    populations = dict(AdminUnit.objects.filter(pk__in=ids).values_list("pk", "population"))
    by_window = figures(ids, day, [r.window_days for r in class_rules], populations=populations)
    figures_for = area_figures(by_window, ids)
    result = rules.classify(figures_for, class_rules)
    basis = rules.basis_of(result, figures_for, class_rules, day)
    return result, rules.reasons(basis, class_labels())
