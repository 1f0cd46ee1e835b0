import logging
from datetime import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .jobs import JOBS, PeriodicJob
from .models import PeriodicRun

logger = logging.getLogger(__name__)


def active_jobs() -> list[PeriodicJob]:
    """Jobs whose app is installed in this deployment (PHONGDICH_APPS may narrow it)."""
    return [job for job in JOBS if apps.is_installed(job.task_path.rsplit(".", 2)[0])]


def periodic_enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue every job that is due; returns the names enqueued.

    A run is claimed by moving `next_run_at` forward in one guarded UPDATE; only the process
    whose UPDATE matched a row enqueues, so two schedulers never double a run.
    """
    now = now or timezone.now()
    enqueued = []
    for job in active_jobs():
        PeriodicRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(name=job.name, next_run_at__lte=now).update(
                next_run_at=now + job.every, last_enqueued_at=now
            )
            if claimed:
                task = import_string(job.task_path)
                transaction.on_commit(task.enqueue)
                enqueued.append(job.name)
    if enqueued:
        logger.info("periodic jobs enqueued: %s", ", ".join(enqueued))
    return enqueued
