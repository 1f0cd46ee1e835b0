"""Vaccination campaigns: target groups, units with a target number and an answerable
official, progress per unit and day (precomputed by the job vaccination.refresh_campaigns),
the units that will miss the deadline at their current pace (rules.pace_projection), and a
link from a confirmed directive task to a campaign.

Progress counts the people of the target groups resident in the unit reached from the
campaign's start to the end of each day (to the deadline at most): a person counts once, on
the day of their first dose in the window (of the campaign's dose number when it names
one). A person is in the target groups when their age in the campaign's start year
falls in one of its age bands, or they hold a flag of one of its risk groups overlapping
the campaign (none named: everyone). One grouped query per campaign (commune × day)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib.charts import line_chart
from phongdich.people.models import Person

from . import rules
from .coverage import BANDS, RISK_BITS, risk_mask_sql
from .models import (
    Campaign,
    CampaignProgress,
    CampaignTarget,
    CampaignTaskLink,
    CoverageBand,
    Dose,
    RiskFlag,
    RiskGroup,
)

AGE_BANDS = [b for b in BANDS if b != CoverageBand.ALL]


# --- who sees what --------------------------------------------------------------------------


def _related(unit: AdminUnit, user_unit: AdminUnit) -> bool:
    """A target unit concerns a user when it lies in their jurisdiction or contains it."""
    return unit.path.startswith(user_unit.path) or user_unit.path.startswith(unit.path)


def campaigns_visible_to(user):
    unit = getattr(user, "jurisdiction", None)
    if unit is None or not user.is_authenticated:
        return Campaign.objects.none()
    ancestors = _ancestor_paths(unit.path)
    return Campaign.objects.filter(
        Q(targets__unit__path__startswith=unit.path)
        | Q(targets__unit__path__in=ancestors)
        | Q(province__path__startswith=unit.path)
    ).distinct()


def _ancestor_paths(path: str) -> list[str]:
    # Paths are materialised chains of codes: "/38/380/14845/" (geo.AdminUnit.path).
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def campaign_get(user, pk: int) -> Campaign:
    return campaigns_visible_to(user).select_related("province").get(pk=pk)


def can_manage(user, campaign: Campaign | None = None) -> bool:
    """Province and district health officers (and the province admin) create and edit
    campaigns; a district officer only one whose targets all lie in their district."""
    from .permissions import CAMPAIGN_ROLES

    unit = getattr(user, "jurisdiction", None)
    if unit is None or not user.has_role(*CAMPAIGN_ROLES) or unit.kind == "commune":
        return False
    if campaign is None:
        return True
    return all(t.unit.path.startswith(unit.path) for t in campaign.targets.select_related("unit"))


def _check_manage(by, campaign=None):
    if not can_manage(by, campaign):
        raise PermissionDenied(_("Chỉ cán bộ y tế cấp tỉnh, huyện được quản lý chiến dịch."))


# --- writes ---------------------------------------------------------------------------------


def _clean(name, age_bands, risk_groups, start, deadline, dose_number):
    if deadline < start:
        raise ValidationError(_("Hạn hoàn thành phải sau ngày bắt đầu."))
    if any(b not in AGE_BANDS for b in age_bands):
        raise ValidationError(_("Nhóm tuổi không hợp lệ."))
    if any(g not in RiskGroup.values for g in risk_groups):
        raise ValidationError(_("Nhóm nguy cơ không hợp lệ."))
    if dose_number is not None and not 1 <= dose_number <= 6:
        raise ValidationError(_("Mũi số phải từ 1 đến 6."))


@transaction.atomic
def campaign_create(
    *,
    by,
    name: str,
    start: date,
    deadline: date,
    age_bands=(),
    risk_groups=(),
    dose_number: int | None = None,
) -> Campaign:
    _check_manage(by)
    _clean(name, age_bands, risk_groups, start, deadline, dose_number)
    province = by.jurisdiction
    while province.parent_id:
        province = province.parent
    campaign = Campaign.objects.create(
        name=name,
        start=start,
        deadline=deadline,
        age_bands=",".join(age_bands),
        risk_groups=",".join(risk_groups),
        dose_number=dose_number,
        province=province,
        created_by=by,
    )
    audit_record(
        actor=by, action="vaccination.campaign.create", target=campaign, changes={"name": name}
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    by,
    campaign: Campaign,
    name: str,
    start: date,
    deadline: date,
    age_bands=(),
    risk_groups=(),
    dose_number: int | None = None,
) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_manage(by, campaign)
    _clean(name, age_bands, risk_groups, start, deadline, dose_number)
    campaign.name, campaign.start, campaign.deadline = name, start, deadline
    campaign.age_bands, campaign.risk_groups = ",".join(age_bands), ",".join(risk_groups)
    campaign.dose_number = dose_number
    campaign.save()
    audit_record(
        actor=by,
        action="vaccination.campaign.update",
        target=campaign,
        changes={"name": name, "start": start.isoformat(), "deadline": deadline.isoformat()},
    )
    return campaign


@transaction.atomic
def campaign_target_set(
    *,
    by,
    campaign: Campaign,
    unit: AdminUnit,
    target: int,
    official_name: str,
    official_title: str = "",
) -> CampaignTarget:
    """Set a unit's target and answerable official. The unique (campaign, unit) constraint
    with update_or_create under a row lock on the campaign makes simultaneous edits one row."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_manage(by, campaign)
    if not unit.path.startswith(by.jurisdiction.path) or not unit.path.startswith(
        campaign.province.path
    ):
        raise PermissionDenied(_("Đơn vị không thuộc địa bàn của bạn."))
    if target < 0 or target > 10**8:
        raise ValidationError(_("Chỉ tiêu không hợp lệ."))
    if not official_name.strip():
        raise ValidationError(_("Cần ghi người chịu trách nhiệm."))
    row, _created = CampaignTarget.objects.update_or_create(
        campaign=campaign,
        unit=unit,
        defaults={
            "target": target,
            "official_name": official_name.strip(),
            "official_title": official_title.strip(),
        },
    )
    audit_record(
        actor=by,
        action="vaccination.campaign.target",
        target=campaign,
        changes={"unit": unit.code, "target": target, "official": official_name},
    )
    return row


@transaction.atomic
def campaign_task_link(*, by, campaign: Campaign, task) -> CampaignTaskLink:
    """Track a confirmed directive task by the campaign's figures (one campaign per task)."""
    _check_manage(by, campaign)
    if task.is_draft:
        raise ValidationError(_("Chỉ liên kết được nhiệm vụ đã xác nhận."))
    link, _created = CampaignTaskLink.objects.update_or_create(
        task=task, defaults={"campaign": campaign, "linked_by": by}
    )
    audit_record(
        actor=by,
        action="vaccination.campaign.link_task",
        target=campaign,
        changes={"task": task.pk},
    )
    return link


@transaction.atomic
def campaign_task_unlink(*, by, campaign: Campaign, task_id: int) -> bool:
    """Stop tracking a directive task by the campaign's figures; the task itself, its
    reports and its own progress stay. Returns False when the link was already gone (a
    second click, or another manager first): nothing to undo, nothing audited."""
    _check_manage(by, campaign)
    link = (
        CampaignTaskLink.objects.select_for_update()
        .filter(campaign=campaign, task_id=task_id)
        .first()
    )
    if link is None:
        return False
    link.delete()
    audit_record(
        actor=by,
        action="vaccination.campaign.unlink_task",
        target=campaign,
        changes={"task": task_id},
    )
    return True


# --- progress (the periodic job) ------------------------------------------------------------


def _target_where(campaign: Campaign) -> tuple[str, list]:
    """SQL condition (over p = person, r = risk mask) for the campaign's target groups."""
    clauses, params = [], []
    year = campaign.start.year
    for band in campaign.band_list:
        low, high = BANDS[band]
        clause = "p.birth_year <= %s"
        params.append(year - low)
        if high is not None:
            clause += " AND p.birth_year > %s"
            params.append(year - high)
        clauses.append(f"({clause})")
    bits = sum(RISK_BITS[RiskGroup(g)] for g in campaign.group_list)
    if bits:
        clauses.append("(COALESCE(r.mask, 0) & %s) <> 0")
        params.append(bits)
    if not clauses:
        return "1 = 1", []
    return "(" + " OR ".join(clauses) + ")", params


def daily_counts(campaign: Campaign, last: date) -> dict[int, dict[date, int]]:
    """commune id -> day -> people reached that day for the campaign (one query).

    A campaign's target is people, not doses: a person of the target groups counts once, on
    the day of their first dose given from the start (the campaign's dose number only, when
    it names one). Two doses inside the window, or one person in two target groups, are
    still one person reached."""
    person, unit = Person._meta.db_table, AdminUnit._meta.db_table
    where, params = _target_where(campaign)
    dose_filter = ""
    dose_params: list = []
    if campaign.dose_number:
        dose_filter = "AND d.dose_number = %s"
        dose_params = [campaign.dose_number]
    sql = f"""
        SELECT reached.commune_id, reached.first_day, COUNT(*)
        FROM (
            SELECT p.id, p.commune_id, MIN(d.given_on) AS first_day
            FROM {Dose._meta.db_table} d
            JOIN {person} p ON p.id = d.person_id
            JOIN {unit} u ON u.id = p.commune_id
            LEFT JOIN ({risk_mask_sql(RiskFlag._meta.db_table)}) r ON r.person_id = p.id
            WHERE d.given_on >= %s AND d.given_on <= %s {dose_filter}
              AND p.merged_into_id IS NULL AND u.path LIKE %s AND {where}
            GROUP BY p.id, p.commune_id
        ) reached
        GROUP BY reached.commune_id, reached.first_day
    """
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                last,
                campaign.start,
                campaign.start,
                last,
                *dose_params,
                campaign.province.path + "%",
                *params,
            ],
        )
        for commune_id, day, n in cursor.fetchall():
            if isinstance(day, str):  # SQLite hands dates back as text here
                day = date.fromisoformat(day)
            counts[commune_id][day] = n
    return counts


@transaction.atomic
def campaign_refresh(*, campaign: Campaign, today: date | None = None, by=None) -> int:
    """Rebuild the campaign's progress rows (cumulative per target unit and day, from the
    start to today or the deadline); returns the rows written."""
    # OF self: the campaign's row serialises refreshes and edits; locking the joined province
    # unit too held every insert naming that unit (another campaign, a coverage figure, a
    # level assessment) for the whole rebuild.
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("province")
        .get(pk=campaign.pk)
    )
    today = today or timezone.localdate()
    last = min(today, campaign.deadline)
    CampaignProgress.objects.filter(campaign=campaign).delete()
    rows: list[CampaignProgress] = []
    if last >= campaign.start:
        counts = daily_counts(campaign, last)
        paths = dict(AdminUnit.objects.filter(pk__in=list(counts)).values_list("pk", "path"))
        for target in campaign.targets.select_related("unit"):
            per_day: dict[date, int] = defaultdict(int)
            for commune_id, days in counts.items():
                if paths.get(commune_id, "").startswith(target.unit.path):
                    for day, n in days.items():
                        per_day[day] += n
            running, day = 0, campaign.start
            while day <= last:
                running += per_day.get(day, 0)
                rows.append(
                    CampaignProgress(campaign=campaign, unit=target.unit, day=day, done=running)
                )
                day += timedelta(days=1)
    CampaignProgress.objects.bulk_create(rows, batch_size=2000)
    campaign.refreshed_at = timezone.now()
    campaign.save(update_fields=["refreshed_at"])
    audit_record(
        actor=by,
        action="vaccination.campaign.refresh",
        target=campaign,
        changes={"rows": len(rows)},
    )
    return len(rows)


def refresh_running(today: date | None = None) -> int:
    """Every campaign that has started and whose deadline passed at most a week ago (late
    doses are still being imported)."""
    today = today or timezone.localdate()
    total = 0
    for campaign in Campaign.objects.filter(
        start__lte=today, deadline__gte=today - timedelta(days=7)
    ):
        total += campaign_refresh(campaign=campaign, today=today)
    return total


# --- figures for the pages ------------------------------------------------------------------


@dataclass
class UnitRow:
    target: CampaignTarget
    pace: rules.Pace
    day: date | None
    # (day, people reached so far) for every stored day of the unit, oldest first
    series: list[tuple[date, int]] = field(default_factory=list)

    @property
    def trend(self) -> dict:
        """The unit's own trend over the stored days, as a small line with one dot a day
        (lib.charts), so a unit that stalled shows flat where the bar shows only today."""
        return line_chart(self.series, width=200, height=44, pad=6)

    @property
    def percent(self) -> float | None:
        return 100 * self.pace.done / self.pace.target if self.pace.target else None


@dataclass
class Figures:
    campaign: Campaign
    rows: list[UnitRow]
    day: date | None  # the last day computed
    chart: dict
    done: int
    target: int

    @property
    def unit_chart(self) -> dict:
        return unit_chart(self.rows)

    @property
    def missing(self) -> list[UnitRow]:
        return [r for r in self.rows if r.pace.will_miss]

    @property
    def percent(self) -> float | None:
        return 100 * self.done / self.target if self.target else None


def figures(campaign: Campaign, user=None) -> Figures:
    """Per target unit (those concerning `user`, all when None): the latest cumulative count
    and the pace, each unit's trend over the stored days; the campaign's total trend as a
    chart (two queries: the progress rows are read once for all three)."""
    targets = list(campaign.targets.select_related("unit__parent").order_by("unit__path"))
    unit = getattr(user, "jurisdiction", None) if user is not None else None
    if unit is not None:
        targets = [t for t in targets if _related(t.unit, unit)]
    progress = CampaignProgress.objects.filter(
        campaign=campaign, unit_id__in=[t.unit_id for t in targets]
    ).values_list("unit_id", "day", "done")
    latest: dict[int, tuple[date, int]] = {}
    trend: dict[date, int] = defaultdict(int)
    per_unit: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for unit_id, day, done in progress:
        if unit_id not in latest or latest[unit_id][0] < day:
            latest[unit_id] = (day, done)
        trend[day] += done
        per_unit[unit_id].append((day, done))
    last_day = max((d for d, _n in latest.values()), default=None)
    rows = []
    for t in targets:
        day, done = latest.get(t.unit_id, (last_day, 0))
        pace = rules.pace_projection(
            target=t.target,
            done=done,
            start=campaign.start,
            deadline=campaign.deadline,
            day=day or campaign.start - timedelta(days=1),
        )
        rows.append(UnitRow(t, pace, day, sorted(per_unit.get(t.unit_id, ()))))
    series = sorted(trend.items())
    return Figures(
        campaign=campaign,
        rows=rows,
        day=last_day,
        chart=line_chart(series),
        done=sum(r.pace.done for r in rows),
        target=sum(t.target for t in targets),
    )


# Bars are drawn to 150 % of the target at most, so one unit far ahead does not squash the
# others; the figure beside each bar says the real share.
CHART_CAP = 1.5


def unit_chart(rows: list[UnitRow], width: int = 560, bar: int = 16, gap: int = 22) -> dict:
    """A horizontal bar per target unit (server-drawn SVG, web has no chart library): the
    people reached as a share of the target, a tick where the pace projects by the deadline,
    and the 100 % line. Units that will miss are marked so the template can colour them."""
    plot = width - 90  # room right of a full bar for its figure
    scale = plot / CHART_CAP
    bars = []
    for i, r in enumerate(rows):
        target = r.pace.target
        share = r.pace.done / target if target else 0
        projected = r.pace.projected / target if target else 0
        y = i * (bar + gap) + 18  # the unit's name sits above its bar
        bars.append(
            {
                "y": y,
                "text_y": y - 4,
                "label": r.target.unit.label(),
                "width": round(min(share, CHART_CAP) * scale, 1),
                "projected_x": round(min(projected, CHART_CAP) * scale, 1),
                "value_x": round(min(share, CHART_CAP) * scale + 4, 1),
                "value_y": y + bar - 4,
                "percent": r.percent,
                "done": r.pace.done,
                "target": target,
                "will_miss": r.pace.will_miss,
            }
        )
    height = len(rows) * (bar + gap) + 8
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "bar": bar,
        "full_x": round(scale, 1),
    }
