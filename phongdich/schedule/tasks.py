from django_tasks import task

from . import services


@task()
def reap_abandoned() -> dict:
    """Queue again the jobs whose worker died (see schedule/leases.py)."""
    return services.task_results_reap()


@task()
def prune_results() -> None:
    """Old job results: the reaper and the jobs page read this table every minute."""
    from django.conf import settings
    from django.core.management import call_command

    call_command(
        "prune_db_task_results",
        min_age_days=settings.TASKS_KEEP_DAYS,
        failed_min_age_days=settings.TASKS_KEEP_FAILED_DAYS,
        verbosity=0,
    )
