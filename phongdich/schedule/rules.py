"""The state a background job is in, as staff see it: django-tasks-db's status plus the lease."""

from datetime import datetime, timedelta

QUEUED = "queued"
RUNNING = "running"
ABANDONED = "abandoned"  # running, but its worker stopped renewing the lease
RETRYING = "retrying"  # queued again after its worker died
FAILED = "failed"
DONE = "done"


def job_state(
    *,
    status: str,
    abandoned_count: int,
    last_sign_of_life: datetime | None,
    now: datetime,
    lease: timedelta,
) -> str:
    """`last_sign_of_life` is the lease's last heartbeat, or the start when there is no lease."""
    if status == "READY":
        return RETRYING if abandoned_count else QUEUED
    if status == "RUNNING":
        if last_sign_of_life is not None and last_sign_of_life < now - lease:
            return ABANDONED
        return RUNNING
    if status == "SUCCESSFUL":
        return DONE
    return FAILED
