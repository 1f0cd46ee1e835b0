from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job is next due. Claimed with a guarded UPDATE (next_run_at <= now),
    so any number of scheduler processes enqueue each run exactly once."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class TaskLease(models.Model):
    """The lease a worker holds on a background job it is running.

    django-tasks-db marks a job RUNNING when a worker claims it and nothing else until the
    job ends; a worker killed in between leaves the job RUNNING forever. The worker running
    the job renews `heartbeat_at` every TASKS_HEARTBEAT_SECONDS (phongdich/schedule/leases.py);
    the reaper treats a RUNNING job whose lease is older than TASKS_LEASE_SECONDS as
    abandoned and queues it again, up to TASKS_MAX_ATTEMPTS runs in all.
    """

    task_result = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        primary_key=True,
        on_delete=models.CASCADE,  # pruning old results prunes their leases
        related_name="lease",
    )
    worker_id = models.CharField(max_length=64)
    heartbeat_at = models.DateTimeField()
    # Kept when the job runs again, so its page can say it was retried and why.
    abandoned_count = models.PositiveSmallIntegerField(default=0)
    abandoned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.task_result_id} @ {self.worker_id}"
