from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import role_required
from phongdich.geo.selectors import units_within
from phongdich.lib.bounds import parse_day
from phongdich.lib.files import xlsx_response
from phongdich.lib.replica import replica_reads
from phongdich.lib.xlsx import build_workbook

from . import dashboard as dashboard_selectors
from . import rules, selectors
from .apps import DASHBOARD_ROLES, OVERVIEW_ROLES
from .models import DailyCount


def _day(request):
    return parse_day(request.GET.get("day", ""), "%d/%m/%Y") or timezone.localdate()


@role_required(*OVERVIEW_ROLES)
@replica_reads
def overview(request, code: str | None = None):
    """Figures per unit below the user's jurisdiction (aggregates only, no personal data)."""
    root = request.user.jurisdiction
    if root is None:
        raise Http404
    if code:
        root = units_within(root).filter(code=code).first()
        if root is None:
            raise Http404
    day = _day(request)
    rows = selectors.overview(root=root, day=day)
    columns = selectors.metric_columns()
    if request.GET.get("format") == "xlsx":
        header = [
            _("Đơn vị"),
            *[str(label) for _code, label in columns],
            _("F0 cộng đồng /100.000 dân/tuần"),
            _("Tiêu chí 1"),
        ]
        data = (
            [
                row.unit.name,
                *[row.day_values.get(c, 0) for c, _label in columns],
                round(row.weekly_rate, 1) if row.weekly_rate is not None else "",
                row.criterion_1 or "",
            ]
            for row in rows
        )
        return xlsx_response(
            build_workbook("So lieu", header, data), f"so-lieu-{root.code}-{day:%Y%m%d}.xlsx"
        )
    for row in rows:
        row.cells = [row.day_values.get(c, 0) for c, _label in columns]
        # Each figure with its label: on a phone the table becomes cards with no header row.
        row.labelled_cells = [(label, row.day_values.get(c, 0)) for c, label in columns]
    latest = DailyCount.objects.order_by("-day").values_list("day", flat=True).first()
    return render(
        request,
        "stats/overview.html",
        {
            "root": root,
            "day": day,
            "rows": rows,
            "columns": columns,
            "bands": rules.CRITERION_1_BANDS,
            "source": _(rules.SOURCE),  # the criterion's name, in the reader's language
            "latest": latest,
            "ancestors": root.ancestors(),
        },
    )


def _dashboard_root(request, code):
    root = request.user.jurisdiction
    if root is None:
        raise Http404
    if code:
        root = units_within(root).filter(code=code).first()
        if root is None:
            raise Http404
    return root


@role_required(*DASHBOARD_ROLES)
@replica_reads
def dashboard(request, code: str | None = None):
    """The committee's picture of the day: key figures with trends, the drill-down by unit
    below, and each figure's list. Aggregates only."""
    root = _dashboard_root(request, code)
    day = _day(request)
    try:
        days = int(request.GET.get("days") or 30)
    except ValueError:
        days = 30
    days = days if days in dashboard_selectors.PERIODS else 30
    sections = dashboard_selectors.figures(root, day, days)
    columns, children = dashboard_selectors.children_table(root, day)
    if request.GET.get("format") == "xlsx":
        header = [_("Nhóm"), _("Chỉ số"), _("Giá trị"), _("Hôm trước")]
        data = [
            (str(s.title), str(f.spec.label), f.value, f.previous)
            for s in sections
            for f in s.figures
        ]
        data += [(), (_("Đơn vị"), *[str(label) for _c, label in columns])]
        data += [(row.unit.name, *[row.values.get(c, 0) for c, _l in columns]) for row in children]
        return xlsx_response(
            build_workbook("Bang dieu hanh", header, data),
            f"bang-dieu-hanh-{root.code}-{day:%Y%m%d}.xlsx",
        )
    for row in children:
        row.cells = [(label, row.values.get(c, 0)) for c, label in columns]
    levels = dashboard_selectors.levels_of(root, children, day)
    return render(
        request,
        "stats/dashboard.html",
        {
            "root": root,
            "day": day,
            "days": days,
            "periods": dashboard_selectors.PERIODS,
            "sections": sections,
            "columns": columns,
            "children": children,
            "overdue_tasks": dashboard_selectors.overdue_tasks(),
            "levels": levels,
            "ancestors": root.ancestors(),
        },
    )
