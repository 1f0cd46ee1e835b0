from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assessment(models.Model):
    """The epidemic level of one unit (commune, district or province) for one day.

    The engine writes the proposal (`inputs`, `outcome`, `computed_level`, `rules`); the
    health department reviews it (`level`, with `override_reason` when it differs), and the
    committee publishes it with the day it takes effect. Only published rows are public.
    The stored inputs and rule version reproduce `computed_level` (rules.assess)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đề xuất (chưa duyệt)")
        REVIEWED = "reviewed", _("Đã thẩm định")
        PUBLISHED = "published", _("Đã công bố")

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    rules = models.CharField(max_length=8)  # rules.RuleSet.code: "4800" or "218"
    inputs = models.JSONField(default=dict)
    outcome = models.JSONField(default=dict)  # criteria, unconfirmed cells, missing inputs
    computed_level = models.PositiveSmallIntegerField(null=True, blank=True)
    unconfirmed = models.BooleanField(default=False)
    computed_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    level = models.PositiveSmallIntegerField(null=True, blank=True)  # after review
    override_reason = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    effective_from = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            # One assessment, hence one publication, per unit and day.
            models.UniqueConstraint(fields=["unit", "day"], name="levels_assessment_unit_day"),
        ]
        indexes = [
            # The levels table and the map: every unit of one day.
            models.Index(fields=["day", "status"], name="levels_day_status_idx"),
            # The public page: each unit's latest publication.
            models.Index(fields=["status", "unit", "-effective_from"], name="levels_public_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%d/%m/%Y} → {self.final_level}"

    @property
    def final_level(self) -> int | None:
        return self.level if self.level is not None else self.computed_level

    @property
    def overridden(self) -> bool:
        return self.level is not None and self.level != self.computed_level


class LevelRule(models.Model):
    """One threshold, case band or matrix cell of a rule set, from a date (the policy data
    `rules.rules_in_force` reads). Rows are never edited in place: a new value is a new row
    from its own date, so an assessment of an earlier day still reads the value it used.

    Coverage thresholds are stored in percent (as the regulation words them); the engine
    reads shares. A band's `value` is its lower bound per 100,000 people per week."""

    class Kind(models.TextChoices):
        BAND = "band", _("Ngưỡng F0 mới theo cấp")
        THRESHOLD = "threshold", _("Ngưỡng tiêu chí")
        CELL = "cell", _("Ô ma trận cấp độ")

    rules = models.CharField(_("quy định"), max_length=8)  # "4800" or "218"
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    # band.<level>, a threshold key (rules.Threshold.key), cell.<row>.<column>
    key = models.CharField(_("mã"), max_length=40)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    value = models.DecimalField(
        _("giá trị"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    level = models.PositiveSmallIntegerField(_("cấp độ"), null=True, blank=True)
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    note = models.CharField(_("ghi chú thay đổi"), max_length=300, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rules", "kind", "key", "valid_from"]
        verbose_name = _("ngưỡng cấp độ dịch")
        constraints = [
            models.UniqueConstraint(
                fields=["rules", "key", "valid_from"], name="levels_rule_key_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rules} {self.key} · {self.valid_from:%d/%m/%Y}"


class UnitShape(models.Model):
    """A unit's outline for the level map, from the GeoJSON file the province imports
    (shapes.py). The geometry is a GeoJSON Polygon or MultiPolygon in WGS84 longitude and
    latitude, rounded to 5 decimals (about a metre)."""

    unit = models.OneToOneField(
        "geo.AdminUnit", on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị")
    )
    geometry = models.JSONField()
    points = models.PositiveIntegerField(default=0)  # positions in the geometry
    # The outline the map draws: `geometry` simplified at import (simplify.py).
    simplified = models.JSONField(null=True, blank=True)
    simplified_points = models.PositiveIntegerField(default=0)
    source = models.CharField(_("tệp nguồn"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ranh giới đơn vị")

    def __str__(self) -> str:
        return f"{self.unit_id} ({self.points})"


class RuleSetStart(models.Model):
    """The day a rule set starts to apply (4800/QĐ-BYT from 12/10/2021, 218/QĐ-BYT from
    27/01/2022), as dated policy data with its source: the day that switches one rule set to
    the next. Rows are never edited: a correction is a new row, the newest row of a rule set
    is the one in force, and the older ones stay as its history (the change is audited)."""

    rules = models.CharField(_("quy định"), max_length=8)  # "4800" or "218"
    starts_on = models.DateField(_("áp dụng từ ngày"))
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    note = models.CharField(_("ghi chú thay đổi"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rules", "pk"]
        verbose_name = _("ngày áp dụng bộ tiêu chí")

    def __str__(self) -> str:
        return f"{self.rules} · {self.starts_on:%d/%m/%Y}"
