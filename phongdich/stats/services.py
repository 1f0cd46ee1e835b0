from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from phongdich.geo.models import AdminUnit

from .metrics import FLOW, SNAPSHOT, STOCK, active_metrics
from .models import DailyCount, UnitFigure


@transaction.atomic
def daily_counts_refresh(*, day: date) -> int:
    """Recompute every figure of `day` (replacing the old ones); returns the rows written.

    A day's figures are rebuilt whole, so late entries (a case diagnosed yesterday but
    entered today) are picked up the next time that day is refreshed. Snapshot figures (free
    beds, stock) can only be read as they are now, so they are rewritten for today only and
    a past day keeps what was written on it.
    """
    today = timezone.localdate()
    kinds = (FLOW, STOCK, SNAPSHOT) if day >= today else (FLOW, STOCK)
    metrics = active_metrics(*kinds)
    codes = [m.code for m in metrics]
    rows = [
        DailyCount(day=day, unit_id=unit_id, metric=metric.code, value=value)
        for metric in metrics
        for unit_id, value in metric.compute(day)
        if unit_id is not None and value
    ]
    DailyCount.objects.filter(day=day, metric__in=codes).delete()
    DailyCount.objects.bulk_create(rows, batch_size=2000)
    _roll_up(day, codes)
    return len(rows)


def _roll_up(day: date, codes: list[str]) -> None:
    """UnitFigure rows of the day: each DailyCount added to its unit and every ancestor."""
    parents = dict(AdminUnit.objects.values_list("pk", "parent_id"))
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for unit_id, metric, value in DailyCount.objects.filter(day=day, metric__in=codes).values_list(
        "unit_id", "metric", "value"
    ):
        seen = set()
        while unit_id is not None and unit_id not in seen:
            seen.add(unit_id)
            totals[(unit_id, metric)] += value
            unit_id = parents.get(unit_id)
    UnitFigure.objects.filter(day=day, metric__in=codes).delete()
    UnitFigure.objects.bulk_create(
        [
            UnitFigure(day=day, unit_id=unit_id, metric=metric, value=value)
            for (unit_id, metric), value in totals.items()
        ],
        batch_size=5000,
    )


def daily_counts_refresh_recent(*, days: int = 2) -> int:
    """Today and the days before it, for the scheduler (late entries land on past days)."""
    today = timezone.localdate()
    return sum(daily_counts_refresh(day=today - timedelta(days=n)) for n in range(days))
