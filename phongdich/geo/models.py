from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminUnit(models.Model):
    """A province, district or commune, identified by its GSO code.

    `path` is materialised ("/38/380/14845/") so that "this unit and everything below it"
    is one indexed prefix query (`path__startswith`) on SQLite and PostgreSQL alike.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/Thành phố")
        DISTRICT = "district", _("Quận/Huyện")
        COMMUNE = "commune", _("Xã/Phường")

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Sub-type read from the name (huyện / thị xã / phường / thị trấn ...): the source
    # package types every district "huyện", so the name is the reliable source.
    division = models.CharField(max_length=20, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=64, unique=True)
    dataset = models.CharField(max_length=4, default="2021")
    population = models.PositiveIntegerField(null=True, blank=True)
    # True when the figure came from the demo generator rather than a census import.
    population_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["path"]
        indexes = [
            # serves subtree scans: AdminUnit.objects.filter(path__startswith=unit.path)
            models.Index(fields=["path"], name="geo_unit_path_idx"),
            models.Index(fields=["kind", "parent"], name="geo_unit_kind_parent_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.strip("/").count("/")

    def is_within(self, other: "AdminUnit | None") -> bool:
        """True when this unit is `other` or lies below it."""
        return other is not None and self.path.startswith(other.path)

    def ancestors(self) -> list["AdminUnit"]:
        codes = self.path.strip("/").split("/")
        units = {u.code: u for u in AdminUnit.objects.filter(code__in=codes)}
        return [units[c] for c in codes if c in units]

    def subtree(self):
        return AdminUnit.objects.filter(path__startswith=self.path)

    def label(self) -> str:
        """Name with its parent, e.g. 'Xã Quảng Phú, Thành phố Thanh Hóa'."""
        return f"{self.name}, {self.parent.name}" if self.parent_id else self.name
