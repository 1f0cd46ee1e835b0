from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from phongdich.geo.models import AdminUnit

from .coverage import coverage_refresh


@task()
def refresh_coverage() -> int:
    """Today's and yesterday's coverage for every province loaded (doses of yesterday keep
    arriving by import)."""
    today = timezone.localdate()
    return sum(
        coverage_refresh(day=today - timedelta(days=back), province=province)
        for province in AdminUnit.objects.filter(parent__isnull=True)
        for back in (0, 1)
    )


@task()
def reconcile_person_status() -> int:
    """Repair the per-person coverage summary wherever it drifted from people and doses
    (a person loaded or edited by raw SQL or a queryset update sends no signal); returns
    the rows repaired, 0 on a normal day."""
    from .person_status import reconcile

    return reconcile()


@task()
def refresh_campaigns() -> int:
    """Progress per unit and day of every running campaign (and those ended a week ago)."""
    from .campaigns import refresh_running

    return refresh_running()


@task()
def refresh_outreach() -> int:
    """Every commune's outreach summaries made to hold today, so lists open warm."""
    from .summary import refresh_all

    return refresh_all()


@task()
def send_reminders() -> dict:
    """Text the people whose next dose became due (once per dose; never 21:00–07:00)."""
    from .reminders import reminders_send

    return reminders_send()
