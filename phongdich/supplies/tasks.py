"""Background jobs of the supplies app (django-tasks; the scheduler enqueues them)."""

import logging

from django_tasks import task

from . import alerts

log = logging.getLogger(__name__)


@task()
def scan_alerts() -> dict:
    """Tell the person in charge once per episode: stock running out, sites nearly full."""
    result = alerts.alerts_scan()
    log.info("supply and bed alerts: %s", result)
    return result
