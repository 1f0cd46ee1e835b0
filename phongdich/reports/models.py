from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Briefing(models.Model):
    """The briefing the steering committee reads before its meeting (báo cáo nhanh), for one
    unit and a day or a range of days. Its content is the figures as they were when it was
    drafted, kept whole, so last Monday's report opens as it was read on Monday."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Bản tự động hằng ngày")
        ON_DEMAND = "on_demand", _("Bản lập theo yêu cầu")

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    day_from = models.DateField(_("từ ngày"))
    day_to = models.DateField(_("đến ngày"))
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content = models.JSONField()
    drafted_at = models.DateTimeField(auto_now_add=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day_to", "-drafted_at"]
        constraints = [
            # The daily draft is made once per unit and day, however many workers run the job.
            models.UniqueConstraint(
                fields=["unit", "day_to"],
                condition=models.Q(kind="daily"),
                name="briefing_one_daily_draft",
            )
        ]
        indexes = [
            # serves the list: a unit's briefings, newest first
            models.Index(fields=["unit", "-day_to"], name="briefing_list_idx"),
        ]
        verbose_name = _("báo cáo nhanh")

    def __str__(self) -> str:
        if self.day_from == self.day_to:
            return f"Báo cáo nhanh ngày {self.day_to:%d/%m/%Y}"
        return f"Báo cáo nhanh {self.day_from:%d/%m/%Y}–{self.day_to:%d/%m/%Y}"
