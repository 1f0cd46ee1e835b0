"""Live figures a task can be tied to, read through each app's own selectors as the viewer
may see them. Other apps are imported inside the readers: directives does not depend on
them to load, and a figure whose app or object is missing is simply not shown.

Each reader returns a Figure: what is measured (a place always with its district), the
value as text, and a percent compared with the indicator's threshold.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules
from .models import Task, TaskIndicator


@dataclass
class Figure:
    label: str
    value: str
    percent: float | None
    as_of: object = None  # a date or datetime, when the figure says

    @property
    def percent_text(self) -> str:
        return "—" if self.percent is None else f"{self.percent:.1f}%".replace(".", ",")


@dataclass
class Check:
    """A task beside its live figure: `agrees` is False when the task is reported done but
    the figure is below the threshold."""

    task: Task
    indicator: TaskIndicator
    figure: Figure | None

    @property
    def agrees(self) -> bool | None:
        return rules.figure_agrees(
            reported_done=self.task.status in Task.DONE_STATUSES,
            percent=self.figure.percent if self.figure else None,
            target=self.indicator.target_percent,
        )


def _area_label(unit) -> str:
    return unit.label() if unit is not None else ""


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _campaign(indicator: TaskIndicator, user) -> Figure | None:
    from phongdich.vaccination import campaigns

    campaign = campaigns.campaigns_visible_to(user).filter(pk=indicator.object_id).first()
    if campaign is None:
        return None
    figures = campaigns.figures(campaign, user)
    return Figure(
        _("Chiến dịch %(name)s") % {"name": campaign.name},
        f"{figures.done:,} / {figures.target:,}".replace(",", "."),
        figures.percent,
        figures.day,
    )


def _outreach(indicator: TaskIndicator, user) -> Figure | None:
    from phongdich.vaccination import outreach

    commune = indicator.area
    if commune is None or commune.kind != "commune" or not _within(user, commune):
        return None
    today = timezone.localdate()
    result = outreach.outreach_list(commune, outreach.Filters(), today, people_for=0)
    return Figure(
        _("Rà soát “không bỏ sót” tại %(place)s") % {"place": _area_label(commune)},
        f"{result.accounted:,} / {result.eligible:,}".replace(",", "."),
        _share(result.accounted, result.eligible),
        today,
    )


def _beds(indicator: TaskIndicator, user) -> Figure | None:
    from phongdich.facilities import selectors as facilities

    facility = facilities.facilities_visible_to(user).filter(pk=indicator.object_id).first()
    if facility is None or not indicator.bed_type:
        return None
    for bed in facilities.bed_figures(facility):
        if bed.bed_type == indicator.bed_type:
            wanted = indicator.target_value or bed.total
            return Figure(
                _("%(type)s tại %(facility)s, %(place)s")
                % {
                    "type": bed.label,
                    "facility": facility.name,
                    "place": _area_label(facility.unit),
                },
                _("%(total)s giường (cần %(wanted)s), còn trống %(free)s")
                % {"total": bed.total, "wanted": wanted, "free": bed.free},
                _share(bed.total, wanted),
                bed.updated_at,
            )
    return None


def _f0_contacted(indicator: TaskIndicator, user) -> Figure | None:
    from phongdich.cases import selectors as cases

    area = indicator.area
    if area is None or not _within(user, area):
        return None
    since = timezone.now() - timedelta(hours=24)
    active = cases.cases_visible_to(user).filter(
        status="active", treatment_place__in=cases.QUEUE_PLACES, commune__path__startswith=area.path
    )
    total = active.count()
    contacted = active.filter(last_check_at__gte=since).count()
    return Figure(
        _("F0 được liên hệ trong 24 giờ tại %(place)s") % {"place": _area_label(area)},
        f"{contacted:,} / {total:,}".replace(",", "."),
        _share(contacted, total),
        timezone.now(),
    )


def _screening(indicator: TaskIndicator, user) -> Figure | None:
    from django.db.models import Sum

    from phongdich.labtests import selectors as labtests

    campaign = labtests.campaigns_visible_to(user).filter(pk=indicator.object_id).first()
    if campaign is None:
        return None
    sums = labtests.campaign_progress(campaign).aggregate(
        sampled=Sum("sampled"), target=Sum("target")
    )
    target = sums["target"] or campaign.target_population or 0
    sampled = sums["sampled"] or 0
    return Figure(
        _("Đợt xét nghiệm %(name)s") % {"name": campaign.name},
        f"{sampled:,} / {target:,}".replace(",", "."),
        _share(sampled, target),
        campaign.progress_at,
    )


def _food_gaps(indicator: TaskIndicator, user) -> Figure | None:
    from phongdich.zones import selectors as zones

    zone_qs = zones.zones_for(user).filter(pk=indicator.object_id)
    zone = zone_qs.first()
    if zone is None:
        return None
    today = timezone.localdate()
    households = zones.supply_summary(zone).households
    gaps = len(zones.food_gaps(zone_qs, today))
    return Figure(
        _("Hộ được cấp lương thực đủ tại %(zone)s, %(place)s")
        % {"zone": zone.name, "place": _area_label(zone.commune)},
        _("%(gaps)s hộ thiếu / %(households)s hộ") % {"gaps": gaps, "households": households},
        _share(households - gaps, households),
        today,
    )


def _within(user, unit) -> bool:
    jurisdiction = getattr(user, "jurisdiction", None)
    return jurisdiction is not None and unit.path.startswith(jurisdiction.path)


READERS = {
    TaskIndicator.Kind.CAMPAIGN: _campaign,
    TaskIndicator.Kind.OUTREACH: _outreach,
    TaskIndicator.Kind.BEDS: _beds,
    TaskIndicator.Kind.F0_CONTACTED: _f0_contacted,
    TaskIndicator.Kind.SCREENING: _screening,
    TaskIndicator.Kind.FOOD_GAPS: _food_gaps,
}


def figure(indicator: TaskIndicator, user) -> Figure | None:
    """The live figure of a confirmed indicator as `user` may see it (None when there is
    nothing to show: not confirmed, not chosen yet, outside the user's jurisdiction)."""
    if indicator.status != TaskIndicator.Status.CONFIRMED:
        return None
    try:
        return READERS[indicator.kind](indicator, user)
    except LookupError:  # the app holding the figure is not installed
        return None


def check(task: Task, user) -> Check | None:
    indicator = getattr(task, "indicator", None)
    if indicator is None:
        return None
    return Check(task, indicator, figure(indicator, user))


# The overview reads at most this many figures: each costs a few queries in its own app.
CHECKS_READ = 50


def disagreeing(user) -> list[Check]:
    """Tasks reported done (or accepted) whose confirmed live figure says otherwise."""
    linked = (
        TaskIndicator.objects.filter(
            status=TaskIndicator.Status.CONFIRMED,
            task__is_draft=False,
            task__status__in=Task.DONE_STATUSES,
        )
        .select_related("task", "area__parent")
        .defer("task__text")
        .order_by("-task__completed_at")[:CHECKS_READ]
    )
    checks = [Check(i.task, i, figure(i, user)) for i in linked]
    return [c for c in checks if c.agrees is False]
