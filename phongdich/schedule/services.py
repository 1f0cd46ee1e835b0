import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from phongdich.audit.services import audit_record

from .jobs import JOBS, PeriodicJob
from .leases import WorkerLost
from .models import PeriodicRun, TaskLease

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


# --- Jobs abandoned by a dead worker ----------------------------------------------------------


def _lease_expiry(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.TASKS_LEASE_SECONDS)


def task_results_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Find running jobs whose worker stopped renewing their lease; run them again, or give
    up after TASKS_MAX_ATTEMPTS runs. Returns how many were queued again and given up.

    Safe to run in several processes at once: each change is a guarded UPDATE on the job's
    status and start time, so a job is reaped once, and a job that finished meanwhile is
    left alone.
    """
    now = now or timezone.now()
    expiry = _lease_expiry(now)
    # A job younger than the lease cannot have an expired one (its first beat may be pending).
    candidates = list(DBTaskResult.objects.running().filter(started_at__lt=expiry))
    leases = TaskLease.objects.in_bulk([result.pk for result in candidates])
    outcome = {"retried": 0, "failed": 0}
    for result in candidates:
        lease = leases.get(result.pk)
        worker_id = result.worker_ids[-1] if result.worker_ids else ""
        if lease and lease.worker_id == worker_id and lease.heartbeat_at >= expiry:
            continue
        verdict = _task_result_abandon(result=result, lease=lease, now=now)
        if verdict:
            outcome[verdict] += 1
    if any(outcome.values()):
        logger.warning("abandoned jobs: %(retried)d queued again, %(failed)d given up", outcome)
    return outcome


@transaction.atomic
def _task_result_abandon(*, result: DBTaskResult, lease: TaskLease | None, now: datetime):
    attempts = len(result.worker_ids)
    worker_id = result.worker_ids[-1] if result.worker_ids else ""
    # The claim sets a new started_at, so matching it means nobody touched the job since.
    unchanged = DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    )
    last_beat = lease.heartbeat_at if lease else result.started_at
    if attempts < settings.TASKS_MAX_ATTEMPTS:
        verdict = "retried"
        changed = unchanged.update(status=TaskResultStatus.READY, started_at=None)
    else:
        verdict = "failed"
        changed = unchanged.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=(
                f"Worker {worker_id} stopped renewing the lease at {last_beat.isoformat()}; "
                f"given up after {attempts} of {settings.TASKS_MAX_ATTEMPTS} runs."
            ),
        )
    if not changed:
        return None
    updated = TaskLease.objects.filter(pk=result.pk).update(
        abandoned_count=F("abandoned_count") + 1, abandoned_at=now
    )
    if not updated:
        TaskLease.objects.create(
            task_result=result,
            worker_id=worker_id,
            heartbeat_at=last_beat,
            abandoned_count=1,
            abandoned_at=now,
        )
    audit_record(
        actor=None,
        action="schedule.task_abandoned",
        target=result,
        changes={
            "task": result.task_path,
            "worker": worker_id,
            "last_heartbeat": last_beat.isoformat(),
            "attempts": attempts,
            "outcome": verdict,
        },
    )
    if verdict == "failed":
        # The same signal the worker sends for a failed job, so apps that follow their jobs
        # (a directive import) record the failure on their own rows.
        transaction.on_commit(lambda: _announce_finished(result.pk))
    return verdict


def _announce_finished(task_id) -> None:
    result = DBTaskResult.objects.get(pk=task_id)
    try:
        task_result = result.task_result
    except (ImportError, SuspiciousOperation):  # the job's code is gone: nobody to tell
        return
    task_finished.send(sender=DatabaseBackend, task_result=task_result)


@transaction.atomic
def task_result_retry(*, by, task_result: DBTaskResult):
    """Queue a failed job again, as a new run with the same arguments (staff's "Thử lại")."""
    if task_result.status != TaskResultStatus.FAILED:
        raise ValidationError(_("Chỉ chạy lại được tác vụ đã thất bại."))
    try:
        task = task_result.task
    except (ImportError, SuspiciousOperation):
        raise ValidationError(_("Tác vụ này không còn trong hệ thống.")) from None
    args = task_result.args_kwargs
    retry = task.enqueue(*args["args"], **args["kwargs"])
    audit_record(
        actor=by,
        action="schedule.task_retry",
        target=task_result,
        changes={"task": task_result.task_path, "retry": str(retry.id)},
    )
    return retry
