"""Background jobs: reading big documents, sending deadline reminders."""

import logging

from django_tasks import task

from . import services
from .models import Document

log = logging.getLogger(__name__)


@task()
def extract_document_job(document_id: int) -> str:
    """Read a big upload outside the request; the progress page polls the document's status."""
    document = Document.objects.filter(pk=document_id, status=Document.Status.EXTRACTING).first()
    if document is None:  # already read (a retry), or deleted
        return "skipped"
    return services.document_extract(document=document).status


@task()
def send_reminders_job() -> dict:
    """Run daily (cron or the worker's scheduler): reminders before and after deadlines."""
    sent = services.reminders_send()
    log.info("directive reminders: %s", sent)
    return sent


def on_task_finished(sender, task_result, **kwargs) -> None:
    """A reading job that failed (given up after its worker died, or crashed) must not leave
    its document "being read" for ever."""
    if task_result.status != "FAILED":
        return
    if task_result.task.module_path != extract_document_job.module_path:
        return
    from phongdich.schedule.leases import WorkerLost

    lost = any(
        error.exception_class_path == f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
        for error in task_result.errors
    )
    services.document_extract_given_up(document_id=task_result.args[0], worker_lost=lost)


@task()
def refresh_overview_job() -> bool:
    """Every 10 minutes (the worker's scheduler): recount the committee overview's figures,
    so a new day's overdue tasks and any change made outside the services reach the page
    without its first viewer paying for the count."""
    from .overview import overview_refresh

    return overview_refresh()
