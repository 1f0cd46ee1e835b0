from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from .metrics import active_metrics
from .models import DailyCount


@transaction.atomic
def daily_counts_refresh(*, day: date) -> int:
    """Recompute every figure of `day` (replacing the old ones); returns the rows written.

    A day's figures are rebuilt whole, so late entries (a case diagnosed yesterday but
    entered today) are picked up the next time that day is refreshed.
    """
    rows = [
        DailyCount(day=day, unit_id=unit_id, metric=metric.code, value=value)
        for metric in active_metrics()
        for unit_id, value in metric.compute(day)
        if unit_id is not None and value
    ]
    DailyCount.objects.filter(day=day).delete()
    DailyCount.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def daily_counts_refresh_recent(*, days: int = 2) -> int:
    """Today and the days before it, for the scheduler (late entries land on past days)."""
    today = timezone.localdate()
    return sum(daily_counts_refresh(day=today - timedelta(days=n)) for n in range(days))
