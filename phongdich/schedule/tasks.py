from django_tasks import task

from . import services


@task()
def reap_abandoned() -> dict:
    """Queue again the jobs whose worker died (see schedule/leases.py)."""
    return services.task_results_reap()
