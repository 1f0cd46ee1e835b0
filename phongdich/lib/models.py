from django.db import models


class RateCounter(models.Model):
    """One rate-limit counter per key, for deployments without Redis (see lib.ratelimit).

    The database cache needs a dozen statements for one count (add, cull check, a locked
    increment); this table needs one upsert. A row outlives its window only until the daily
    prune (lib.tasks.prune_rate_counters); a stale row is reset by the next hit anyway.
    """

    key = models.CharField(max_length=250, primary_key=True)
    window_ends = models.BigIntegerField()  # Unix time at which the counted window closes
    hits = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["window_ends"], name="lib_ratecounter_ends")]

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} until {self.window_ends}"
