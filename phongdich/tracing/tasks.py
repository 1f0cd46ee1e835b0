from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from . import services


@task()
def refresh_indicators() -> int:
    """Today's and yesterday's indicators (contacts of yesterday's cases keep arriving), and
    clusters past their days without a new case closed."""
    today = timezone.localdate()
    rows = sum(services.indicators_refresh(day=today - timedelta(days=back)) for back in (0, 1))
    services.clusters_close_due(today=today)
    return rows
