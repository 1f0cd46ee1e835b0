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
