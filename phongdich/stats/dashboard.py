"""The steering committee's dashboard: the day's key figures of a unit with their trends,
read from the precomputed UnitFigure rows (one query for 90 days of every figure) plus the
coverage figures the vaccination job precomputes; nothing here counts a personal table.

Each figure says which list shows the records behind it (`url`), so a committee member can
go from "37 danger alerts open" to the alerts themselves, as far as their role may see.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from phongdich.geo.models import AdminUnit
from phongdich.lib.charts import line_chart

from .metrics import active_metrics
from .models import UnitFigure

PERIODS = (30, 90)


@dataclass(frozen=True)
class Spec:
    """One figure of the dashboard: a metric (or a ratio of two), its list, its section."""

    code: str
    label: str | Promise
    section: str
    url_name: str
    query: str = ""
    # A ratio figure: code / `denominator` (× `scale`), e.g. days of oxygen, share in time.
    denominator: str = ""
    scale: int = 1
    suffix: str = ""
    # A figure people want low (alerts, backlog): its rise is shown as bad news.
    lower_is_better: bool = False

    @property
    def anchor(self) -> str:
        """The card's id on the page, which the home page's figures open."""
        return self.code.replace(".", "-").replace("_", "-")


SITUATION, CARE, CAPACITY, VACCINATION, TESTING, SERVICES = (
    _("Tình hình dịch"),
    _("Điều trị và chăm sóc F0"),
    _("Năng lực điều trị"),
    _("Tiêm chủng"),
    _("Xét nghiệm, truy vết và cách ly"),
    _("Tổng đài, chốt kiểm soát, chỉ đạo"),
)

SPECS = (
    Spec(
        "cases.new_community",
        _("F0 mới trong cộng đồng"),
        SITUATION,
        "cases:queue",
        lower_is_better=True,
    ),
    Spec("cases.new_quarantine", _("F0 mới trong khu cách ly"), SITUATION, "cases:queue"),
    Spec("cases.new_screening", _("F0 mới qua sàng lọc"), SITUATION, "cases:queue"),
    Spec(
        "cases.deaths_pcr",
        _("Tử vong (PCR khẳng định)"),
        SITUATION,
        "cases:reports",
        lower_is_better=True,
    ),
    Spec("cases.recovered", _("Khỏi bệnh"), SITUATION, "cases:reports"),
    Spec("cases.active_home", _("F0 đang điều trị tại nhà"), CARE, "cases:queue"),
    Spec("cases.active_facility", _("F0 đang điều trị tại cơ sở"), CARE, "facilities:board"),
    Spec(
        "cases.danger_alerts_open",
        _("Cảnh báo nguy hiểm chưa xử lý"),
        CARE,
        "cases:queue",
        query="show=danger",
        lower_is_better=True,
    ),
    Spec(
        "cases.danger_alerts_in_time",
        _("Cảnh báo xử lý trong 15 phút"),
        CARE,
        "cases:queue",
        query="show=danger",
        denominator="cases.danger_alerts",
        scale=100,
        suffix="%",
    ),
    Spec("facilities.free_regular", _("Giường thường còn trống"), CAPACITY, "facilities:board"),
    Spec("facilities.free_oxygen", _("Giường có oxy còn trống"), CAPACITY, "facilities:board"),
    Spec("facilities.free_icu", _("Giường hồi sức còn trống"), CAPACITY, "facilities:board"),
    Spec("facilities.free_ventilator", _("Giường thở máy còn trống"), CAPACITY, "facilities:board"),
    Spec(
        "supplies.oxygen_balance",
        _("Số ngày đủ oxy lỏng"),
        CAPACITY,
        "supplies:board",
        denominator="supplies.oxygen_per_day",
        suffix=_("ngày"),
    ),
    Spec(
        "hotline.backlog", _("Phiếu 1022 tồn đọng"), SERVICES, "hotline:queue", lower_is_better=True
    ),
    Spec(
        "hotline.overdue",
        _("Phiếu 1022 quá hạn"),
        SERVICES,
        "hotline:queue",
        query="overdue=1",
        lower_is_better=True,
    ),
    Spec("labtests.samples", _("Mẫu xét nghiệm đã lấy"), TESTING, "labtests:samples"),
    Spec(
        "labtests.positives",
        _("Mẫu dương tính"),
        TESTING,
        "labtests:samples",
        lower_is_better=True,
    ),
    Spec("tracing.contacts", _("Tiếp xúc mới được lập danh sách"), TESTING, "tracing:contacts"),
    Spec("quarantine.active", _("Người đang cách ly"), TESTING, "quarantine:list"),
    Spec("hotline.tickets", _("Phiếu 1022 mới"), SERVICES, "hotline:oversight"),
    Spec("checkpoints.passages", _("Lượt qua chốt"), SERVICES, "checkpoints:oversight"),
)


@dataclass
class Figure:
    spec: Spec
    value: float | None
    previous: float | None
    series: list[tuple[date, float | None]]
    url: str
    chart: dict = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 1)

    @property
    def worse(self) -> bool:
        change = self.change
        if not change:
            return False
        return change > 0 if self.spec.lower_is_better else change < 0


@dataclass
class Section:
    title: str | Promise
    figures: list[Figure]


def _url(spec: Spec, unit: AdminUnit) -> str:
    try:
        url = reverse(spec.url_name)
    except NoReverseMatch:
        return ""
    query = spec.query
    if spec.url_name == "cases:queue" and unit.kind == "commune":
        query = "&".join(q for q in (query, f"commune={unit.pk}") if q)
    return f"{url}?{query}" if query else url


def _ratio(value, denominator, scale):
    if value is None or not denominator:
        return None
    return round(value * scale / denominator, 1)


def figures(unit: AdminUnit, day: date, days: int = 30) -> list[Section]:
    """Every figure of the unit for the day, with its trend over `days` days. One query."""
    codes = {m.code for m in active_metrics()}
    wanted = [s for s in SPECS if s.code in codes]
    needed = {s.code for s in wanted} | {s.denominator for s in wanted if s.denominator}
    start = day - timedelta(days=days - 1)
    values: dict[str, dict[date, int]] = defaultdict(dict)
    for metric, d, value in UnitFigure.objects.filter(
        unit=unit, metric__in=needed, day__gte=start, day__lte=day
    ).values_list("metric", "day", "value"):
        values[metric][d] = value
    dates = [start + timedelta(days=n) for n in range(days)]
    by_section: dict[str, list[Figure]] = defaultdict(list)
    order: list[str] = []
    for spec in wanted:
        own = values.get(spec.code, {})
        if spec.denominator:
            other = values.get(spec.denominator, {})
            series = [(d, _ratio(own.get(d, 0), other.get(d, 0), spec.scale)) for d in dates]
        else:
            series = [(d, own.get(d, 0)) for d in dates]
        figure = Figure(
            spec,
            series[-1][1],
            series[-2][1] if len(series) > 1 else None,
            series,
            _url(spec, unit),
        )
        figure.chart = line_chart(series, width=220, height=56, pad=4)
        if spec.section not in by_section:
            order.append(spec.section)
        by_section[spec.section].append(figure)
    sections = [Section(title, by_section[title]) for title in order]
    coverage = vaccination_figures(unit, day)
    if coverage:
        sections.insert(3, Section(VACCINATION, coverage))
    return sections


def vaccination_figures(unit: AdminUnit, day: date) -> list[Figure]:
    """Coverage of the latest day the vaccination job computed, on or before `day`."""
    if not apps.is_installed("phongdich.vaccination"):
        return []
    from phongdich.vaccination.coverage import criterion_2
    from phongdich.vaccination.models import CoverageFigure

    latest = (
        CoverageFigure.objects.filter(unit=unit, day__lte=day)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if latest is None:
        return []
    shares = criterion_2(unit, latest)
    labels = {
        "adults_at_least_one": _("Người từ 18 tuổi tiêm ít nhất 1 mũi"),
        "over_50_full": _("Người từ 50 tuổi tiêm đủ liều cơ bản"),
        "population_full": _("Dân số tiêm đủ liều cơ bản"),
        "high_risk_full": _("Nhóm nguy cơ cao tiêm đủ liều cơ bản"),
    }
    out = []
    for key, label in labels.items():
        share = shares.get(key)
        if share is None:
            continue
        spec = Spec(key, label, VACCINATION, "vaccination:coverage", suffix="%")
        value = round(share * 100, 1) if share <= 1 else round(share, 1)
        out.append(Figure(spec, value, None, [], _url(spec, unit)))
    return out


@dataclass
class ChildRow:
    unit: AdminUnit
    values: dict[str, int]
    level: dict | None = None


TABLE_CODES = (
    "cases.new_community",
    "cases.active_home",
    "cases.danger_alerts_open",
    "facilities.free_oxygen",
    "facilities.free_icu",
    "hotline.backlog",
)


def children_table(unit: AdminUnit, day: date) -> tuple[list, list[ChildRow]]:
    """The drill-down: the table's figures for every unit directly below. Two queries."""
    codes = {m.code: m.label for m in active_metrics()}
    columns = [(c, codes[c]) for c in TABLE_CODES if c in codes]
    children = list(unit.children.order_by("code"))
    rows = {child.pk: ChildRow(child, {}) for child in children}
    for unit_id, metric, value in UnitFigure.objects.filter(
        day=day, unit_id__in=list(rows), metric__in=[c for c, _l in columns]
    ).values_list("unit_id", "metric", "value"):
        rows[unit_id].values[metric] = value
    return columns, list(rows.values())


def levels_of(root: AdminUnit, children: list[ChildRow], day: date) -> dict | None:
    """The epidemic level of the unit and of each unit below (the published level in force,
    else the day's proposal marked unpublished), when the levels app is installed; each row
    gets `level`. Two queries."""
    if not apps.is_installed("phongdich.levels"):
        return None
    from phongdich.levels.selectors import levels_for_dashboard

    found = levels_for_dashboard([root, *(row.unit for row in children)], day)
    for row in children:
        row.level = found.get(row.unit.pk)
    return {"own": found.get(root.pk)}


def overdue_tasks() -> int | None:
    """Confirmed directive tasks past their deadline (the committee's own follow-up)."""
    if not apps.is_installed("phongdich.directives"):
        return None
    from django.utils import timezone

    from phongdich.directives.models import Task

    return (
        Task.objects.filter(is_draft=False, deadline__lt=timezone.localdate())
        .exclude(status__in=Task.DONE_STATUSES)
        .count()
    )
