"""The overview: figures of the units directly below a unit, summed from DailyCount rows."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from phongdich.geo.models import AdminUnit

from . import rules
from .metrics import FLOW, active_metrics
from .models import DailyCount


@dataclass
class OverviewRow:
    unit: AdminUnit
    day_values: dict[str, int] = field(default_factory=dict)
    community_14_days: int = 0

    @property
    def weekly_rate(self) -> float | None:
        return rules.weekly_rate(self.community_14_days, self.unit.population)

    @property
    def criterion_1(self) -> int | None:
        return rules.criterion_1_level(self.weekly_rate)


def overview(*, root: AdminUnit, day: date) -> list[OverviewRow]:
    """One row per child of `root` (or `root` itself for a commune), plus a total row.

    Three queries whatever the number of units: the children, the day's rows and the 14-day
    community counts, both read from DailyCount under `root`'s subtree.
    """
    children = list(root.children.order_by("code")) or [root]
    rows = {child.path: OverviewRow(child) for child in children}
    total = OverviewRow(root)

    def row_for(path: str) -> OverviewRow | None:
        for prefix, row in rows.items():
            if path.startswith(prefix):
                return row
        return None

    day_counts = DailyCount.objects.filter(day=day, unit__path__startswith=root.path).values_list(
        "unit__path", "metric", "value"
    )
    for path, metric, value in day_counts:
        row = row_for(path)
        if row is not None:
            row.day_values[metric] = row.day_values.get(metric, 0) + value
        total.day_values[metric] = total.day_values.get(metric, 0) + value
    fortnight = DailyCount.objects.filter(
        metric="cases.new_community",
        day__gt=day - timedelta(days=14),
        day__lte=day,
        unit__path__startswith=root.path,
    ).values_list("unit__path", "value")
    for path, value in fortnight:
        row = row_for(path)
        if row is not None:
            row.community_14_days += value
        total.community_14_days += value
    return [*rows.values(), total]


def metric_columns():
    return [(m.code, m.label) for m in active_metrics(FLOW)]
