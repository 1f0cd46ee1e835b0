from django.db import models
from django.utils.translation import gettext_lazy as _


class Facility(models.Model):
    """A place that treats or isolates people: hospitals by tier, isolation and quarantine
    sites. Shared by F0 management (transfers) and checkpoints (centralised quarantine)."""

    class Kind(models.TextChoices):
        HOSPITAL_TIER1 = "tier1", _("Cơ sở thu dung, điều trị tầng 1")
        HOSPITAL_TIER2 = "tier2", _("Bệnh viện tầng 2")
        HOSPITAL_TIER3 = "tier3", _("Bệnh viện tầng 3 (hồi sức tích cực)")
        ISOLATION_SITE = "isolation", _("Khu cách ly F0 tập trung")
        QUARANTINE_SITE = "quarantine", _("Khu cách ly tập trung F1/người về")
        MOBILE_STATION = "mobile", _("Trạm y tế lưu động")

    name = models.CharField(_("tên cơ sở"), max_length=200)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="facilities",
        verbose_name=_("địa bàn"),
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=16, blank=True)
    beds_total = models.PositiveIntegerField(_("tổng số giường"), default=0)
    beds_occupied = models.PositiveIntegerField(_("giường đang dùng"), default=0)
    icu_beds_total = models.PositiveIntegerField(_("giường hồi sức"), default=0)
    icu_beds_occupied = models.PositiveIntegerField(_("giường hồi sức đang dùng"), default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("cơ sở")

    def __str__(self) -> str:
        return self.name

    @property
    def beds_free(self) -> int:
        return max(self.beds_total - self.beds_occupied, 0)
