from django.db import models


class DailyCount(models.Model):
    """One figure for one unit on one day, precomputed so dashboards never COUNT(*) the case,
    ticket or passage tables (rapidpro's squashed counters, STYLE.md)."""

    day = models.DateField()
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=40)
    value = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "unit", "metric"], name="daily_count_uniq")
        ]
        indexes = [
            # serves the overview: every figure of a day range, summed per child unit
            models.Index(fields=["metric", "day"], name="daily_count_metric_day_idx")
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.unit_id} {self.metric}={self.value}"
