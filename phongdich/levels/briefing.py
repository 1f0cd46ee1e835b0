"""The briefing's levels section (reports/sections.py builds it in ORDER): the level of the
unit and of each unit below it as at the end of the range, published or proposed, and the
changes published during the range."""

from phongdich.geo.models import AdminUnit

from .models import Assessment
from .selectors import levels_for_dashboard

ORDER = 20


def section(unit: AdminUnit, day_from, day_to) -> dict | None:
    children = list(unit.children.order_by("code"))
    levels = levels_for_dashboard([unit, *children], day_to)

    def cell(u):
        info = levels.get(u.pk)
        if not info or not info["level"]:
            return "—"
        return f"Cấp {info['level']}" + ("" if info["published"] else " (đề xuất)")

    changes = Assessment.objects.filter(
        unit__path__startswith=unit.path,
        status=Assessment.Status.PUBLISHED,
        published_at__date__gte=day_from,
        published_at__date__lte=day_to,
    ).count()
    return {
        "key": "levels",
        "title": "Cấp độ dịch",
        "lines": [
            [f"Cấp độ dịch của {unit.name}", cell(unit)],
            ["Số cấp độ được công bố trong kỳ", changes],
        ],
        "notes": ["Cấp độ đề xuất là kết quả tính tự động, chưa được Ban Chỉ đạo công bố."],
        "tables": [
            {
                "title": "Cấp độ dịch theo đơn vị",
                "columns": ["Đơn vị", "Cấp độ"],
                "rows": [[c.name, cell(c)] for c in children],
            }
        ]
        if children
        else [],
    }
