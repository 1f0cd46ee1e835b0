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


class UnitFigure(models.Model):
    """A figure of one unit on one day summed over its whole subtree (a commune's own, a
    district's communes, the province's districts), written with DailyCount by the refresh
    job, so the committee's dashboard reads 90 days of one unit without summing thousands of
    commune rows per request."""

    day = models.DateField()
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=40)
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "metric", "day"], name="unit_figure_uniq")
        ]
        # The unique index (unit, metric, day) serves the dashboard's trend read; this one the
        # drill-down table: every child of a unit on one day.
        indexes = [models.Index(fields=["day", "unit"], name="unit_figure_day_idx")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.unit_id} {self.metric}={self.value}"
