from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from . import rules
from .leases import WorkerLost
from .models import TaskLease

STATE_LABELS = {
    rules.QUEUED: _("Đang chờ xử lý"),
    rules.RUNNING: _("Đang chạy"),
    rules.ABANDONED: _("Mất liên lạc với tiến trình nền"),
    rules.RETRYING: _("Đang chờ chạy lại"),
    rules.FAILED: _("Thất bại"),
    rules.DONE: _("Hoàn thành"),
}


@dataclass
class JobStatus:
    id: str
    task_name: str
    state: str
    attempts: int  # runs started so far
    max_attempts: int
    enqueued_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    abandoned_count: int
    abandoned_at: datetime | None
    finished_at: datetime | None
    worker_lost: bool  # failed because its worker died on every attempt

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def can_retry(self) -> bool:
        return self.state == rules.FAILED


def job_status(result: DBTaskResult, *, now: datetime | None = None) -> JobStatus:
    """`result` may come with `select_related("lease")` to save the query."""
    try:
        lease = result.lease
    except TaskLease.DoesNotExist:
        lease = None
    heartbeat = lease.heartbeat_at if lease else None
    if lease and result.worker_ids and lease.worker_id != result.worker_ids[-1]:
        heartbeat = None  # the lease of an earlier run says nothing about this one
    abandoned_count = lease.abandoned_count if lease else 0
    state = rules.job_state(
        status=result.status,
        abandoned_count=abandoned_count,
        last_sign_of_life=heartbeat or result.started_at,
        now=now or timezone.now(),
        lease=timedelta(seconds=settings.TASKS_LEASE_SECONDS),
    )
    return JobStatus(
        id=str(result.pk),
        task_name=result.task_path.rsplit(".", 1)[-1],
        state=state,
        attempts=len(result.worker_ids),
        max_attempts=settings.TASKS_MAX_ATTEMPTS,
        enqueued_at=result.enqueued_at,
        started_at=result.started_at,
        heartbeat_at=heartbeat,
        abandoned_count=abandoned_count,
        abandoned_at=lease.abandoned_at if lease else None,
        finished_at=result.finished_at,
        worker_lost=result.exception_class_path
        == f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
    )


def jobs_needing_attention(*, limit: int = 100) -> list[JobStatus]:
    """Queued, running, retried and failed jobs, newest first (finished ones are not news)."""
    results = (
        DBTaskResult.objects.exclude(status="SUCCESSFUL")
        .select_related("lease")
        .order_by("-enqueued_at")[:limit]
    )
    now = timezone.now()
    return [job_status(result, now=now) for result in results]
