from django_tasks import task

from . import services


@task()
def draft_daily() -> int:
    return len(services.drafts_due())
