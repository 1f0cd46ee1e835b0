from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job is next due. Claimed with a guarded UPDATE (next_run_at <= now),
    so any number of scheduler processes enqueue each run exactly once."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
