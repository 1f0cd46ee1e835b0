from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import role_required
from phongdich.geo.selectors import units_within
from phongdich.lib.bounds import parse_day
from phongdich.lib.files import xlsx_response
from phongdich.lib.xlsx import build_workbook

from . import rules, selectors
from .apps import OVERVIEW_ROLES
from .models import DailyCount


def _day(request):
    return parse_day(request.GET.get("day", ""), "%d/%m/%Y") or timezone.localdate()


@role_required(*OVERVIEW_ROLES)
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
            "source": rules.SOURCE,
            "latest": latest,
            "ancestors": root.ancestors(),
        },
    )
