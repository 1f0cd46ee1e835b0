from django_tasks import task

from . import services


@task()
def refresh_recent_counts() -> int:
    return services.daily_counts_refresh_recent()
