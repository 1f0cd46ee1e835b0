from django.utils import timezone
from django_tasks import task

from .services import levels_assess


@task()
def assess_daily() -> int:
    """Today's proposal for every commune, district and the province of the home province.
    Run hourly so the preview follows the figures refreshed during the day; reviewed and
    published assessments are left as they are."""
    return len(levels_assess(by=None, day=timezone.localdate()))
