"""Leases on running background jobs, renewed by the worker process that runs them.

Built on django-tasks' signals rather than on our own worker loop, so every process that
runs jobs from the database queue (`manage.py worker` or plain `db_worker`) renews its
leases: `task_started` takes the lease, a daemon thread renews it every
TASKS_HEARTBEAT_SECONDS while the job runs, `task_finished` lets it go. A worker killed with
SIGKILL (or by the OOM killer, or a lost machine) stops renewing; the reaper
(`services.task_results_reap`) then finds the lease expired.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """Recorded as the error of a job given up after its worker died TASKS_MAX_ATTEMPTS times."""


# Jobs this process is running: task result id → worker id that claimed it.
_running: dict[str, str] = {}
_lock = threading.Lock()
_heartbeat: threading.Thread | None = None


def _from_database_queue(sender) -> bool:
    # db_worker sends task_started with the backend instance and task_finished with its class.
    backend_class = sender if isinstance(sender, type) else type(sender)
    return issubclass(backend_class, DatabaseBackend)


def lease_take(*, task_id: str, worker_id: str) -> None:
    from .models import TaskLease

    with _lock:
        _running[task_id] = worker_id
    _ensure_heartbeat()
    TaskLease.objects.update_or_create(
        task_result_id=task_id,
        defaults={"worker_id": worker_id, "heartbeat_at": timezone.now()},
    )


def lease_release(*, task_id: str) -> None:
    with _lock:
        _running.pop(task_id, None)


def leases_renew() -> int:
    """Renew the leases of the jobs this process runs; returns how many were renewed."""
    from .models import TaskLease

    with _lock:
        running = list(_running.items())
    renewed = 0
    now = timezone.now()
    for task_id, worker_id in running:
        # Matching the worker too: if the reaper already handed the job to another worker,
        # this one must not keep that worker's lease alive.
        if TaskLease.objects.filter(task_result_id=task_id, worker_id=worker_id).update(
            heartbeat_at=now
        ):
            renewed += 1
        elif not TaskLease.objects.filter(task_result_id=task_id).exists():
            # Taking the lease failed when the job started (a locked SQLite file): take it now.
            TaskLease.objects.create(task_result_id=task_id, worker_id=worker_id, heartbeat_at=now)
            renewed += 1
        else:
            lease_release(task_id=task_id)
    return renewed


def _heartbeat_loop() -> None:
    while True:
        time.sleep(settings.TASKS_HEARTBEAT_SECONDS)
        try:
            leases_renew()
        except Exception:  # a failed renewal is retried at the next beat
            logger.exception("task lease renewal failed")
        finally:
            # One short connection per beat: a worker holds no idle connection for this.
            connection.close()


def _ensure_heartbeat() -> None:
    global _heartbeat
    with _lock:
        if _heartbeat is None or not _heartbeat.is_alive():
            _heartbeat = threading.Thread(
                target=_heartbeat_loop, daemon=True, name="task-lease-heartbeat"
            )
            _heartbeat.start()


def on_task_started(sender, task_result, **kwargs) -> None:
    if not _from_database_queue(sender) or not task_result.worker_ids:
        return
    try:
        lease_take(task_id=str(task_result.id), worker_id=task_result.worker_ids[-1])
    except Exception:
        # A receiver's error would fail the job itself. The job is already in `_running`, so
        # the next heartbeat takes the lease.
        logger.exception("could not take the lease of task %s", task_result.id)


def on_task_finished(sender, task_result, **kwargs) -> None:
    if _from_database_queue(sender):
        lease_release(task_id=str(task_result.id))
