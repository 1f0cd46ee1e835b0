from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phongdich.lib.idempotency import SubmittedOnce


class BedType(models.TextChoices):
    """The bed types capacity is counted in (the CARE users' "giường thường / có oxy / hồi sức
    tích cực / thở máy"). Each has a (total, occupied) column pair on Facility: the guarded
    UPDATE of `facility_occupy` needs both numbers in one row."""

    REGULAR = "regular", _("Giường thường")
    OXYGEN = "oxygen", _("Giường có oxy")
    ICU = "icu", _("Giường hồi sức tích cực")
    VENTILATOR = "ventilator", _("Giường thở máy")


# bed type -> (total column, occupied column). REGULAR and ICU keep the columns that existed
# before bed types, so every caller and row written before them means the same thing.
BED_COLUMNS = {
    BedType.REGULAR: ("beds_total", "beds_occupied"),
    BedType.OXYGEN: ("oxygen_beds_total", "oxygen_beds_occupied"),
    BedType.ICU: ("icu_beds_total", "icu_beds_occupied"),
    BedType.VENTILATOR: ("ventilator_beds_total", "ventilator_beds_occupied"),
}


class Facility(SubmittedOnce):
    """A place that treats or isolates people: hospitals by tier, isolation and quarantine
    sites. Shared by F0 management (transfers) and checkpoints (centralised quarantine)."""

    class Kind(models.TextChoices):
        HOSPITAL_TIER1 = "tier1", _("Cơ sở thu dung, điều trị tầng 1")
        HOSPITAL_TIER2 = "tier2", _("Bệnh viện tầng 2")
        HOSPITAL_TIER3 = "tier3", _("Bệnh viện tầng 3 (hồi sức tích cực)")
        INTENSIVE_CARE = "intensive", _("Trung tâm hồi sức tích cực")
        ISOLATION_SITE = "isolation", _("Khu cách ly F0 tập trung")
        QUARANTINE_SITE = "quarantine", _("Khu cách ly tập trung F1/người về")
        MOBILE_STATION = "mobile", _("Trạm y tế lưu động")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Dự kiến")
        OPENING = "opening", _("Đang chuẩn bị")
        OPEN = "open", _("Đang hoạt động")
        CLOSED = "closed", _("Đã đóng")

    class Source(models.TextChoices):
        STAYS = "stays", _("Đếm từ lượt nhập viện trên hệ thống")
        REPORTED = "reported", _("Cơ sở báo cáo số trong ngày")

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
    operator = models.CharField(_("đơn vị quản lý"), max_length=200, blank=True)
    person_in_charge = models.CharField(_("người phụ trách"), max_length=100, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opens_on = models.DateField(_("ngày hoạt động"), null=True, blank=True)
    closes_on = models.DateField(_("ngày đóng"), null=True, blank=True)
    # The health staff working at the site (doctors, nurses, technicians), set by its
    # editors: the readiness plans' "nhân lực" is measured against the sum of these.
    health_staff = models.PositiveIntegerField(_("nhân lực y tế"), default=0)
    # Where the occupancy figures come from: counted from stays, or the site's daily report
    # (a site not yet recording every patient here); the board says which.
    occupancy_source = models.CharField(
        _("nguồn số liệu giường"), max_length=8, choices=Source.choices, default=Source.STAYS
    )
    beds_total = models.PositiveIntegerField(_("tổng số giường"), default=0)
    beds_occupied = models.PositiveIntegerField(_("giường đang dùng"), default=0)
    oxygen_beds_total = models.PositiveIntegerField(_("giường có oxy"), default=0)
    oxygen_beds_occupied = models.PositiveIntegerField(_("giường có oxy đang dùng"), default=0)
    icu_beds_total = models.PositiveIntegerField(_("giường hồi sức"), default=0)
    icu_beds_occupied = models.PositiveIntegerField(_("giường hồi sức đang dùng"), default=0)
    ventilator_beds_total = models.PositiveIntegerField(_("giường thở máy"), default=0)
    ventilator_beds_occupied = models.PositiveIntegerField(_("giường thở máy đang dùng"), default=0)
    # Only an open facility takes patients; kept in step with `status` by the services so
    # the transfer and quarantine pickers keep their one filter.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("cơ sở")

    def __str__(self) -> str:
        return self.name

    @property
    def beds_free(self) -> int:
        return max(self.beds_total - self.beds_occupied, 0)

    def beds(self, bed_type: str) -> tuple[int, int]:
        """(total, occupied) of one bed type."""
        total, occupied = BED_COLUMNS[bed_type]
        return getattr(self, total), getattr(self, occupied)

    def free(self, bed_type: str) -> int:
        total, occupied = self.beds(bed_type)
        return max(total - occupied, 0)


class CapacityChange(models.Model):
    """Every change of a facility's capacity of one bed type: the history CARE users asked
    for, and the answer to "when was this figure last updated"."""

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="capacity_changes"
    )
    bed_type = models.CharField(max_length=10, choices=BedType.choices)
    before = models.PositiveIntegerField()
    after = models.PositiveIntegerField()
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        # Serves the facility page's history and "last updated" per bed type.
        indexes = [models.Index(fields=["facility", "bed_type", "at"])]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.bed_type}: {self.before} → {self.after}"


class Stay(models.Model):
    """One bed of one type held at a facility, from admission to discharge. Every bed taken
    through `facility_occupy` opens one; freeing a bed closes one. The occupancy counters on
    Facility are these open stays counted in the same transaction (the guarded UPDATE is what
    makes the count safe under concurrent admissions)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="stays")
    bed_type = models.CharField(_("loại giường"), max_length=10, choices=BedType.choices)
    # The F0 case the bed is for, when the caller names it. A plain id, not a foreign key:
    # facilities is a core app and the cases app is optional (PHONGDICH_APPS).
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The site's own register number, for admissions recorded by the facility's staff: the
    # board needs a bed, not a name, so no personal data is asked for here.
    patient_ref = models.CharField(_("số hồ sơ tại cơ sở"), max_length=40, blank=True)
    admitted_at = models.DateTimeField()
    discharged_at = models.DateTimeField(null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["admitted_at", "pk"]
        indexes = [
            # Serves the open stays of a facility by type (discharge picks the oldest).
            models.Index(
                fields=["facility", "bed_type", "admitted_at"],
                condition=models.Q(discharged_at__isnull=True),
                name="stay_open_by_facility",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.bed_type} {self.admitted_at:%d/%m/%Y}"


class OccupancyReport(models.Model):
    """The day's occupied beds of one type as the facility's staff reported them. Rows are
    never edited: a later report of the same day supersedes the earlier one."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="reports")
    bed_type = models.CharField(max_length=10, choices=BedType.choices)
    day = models.DateField()
    occupied = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-day", "-at", "-pk"]
        indexes = [models.Index(fields=["facility", "day"])]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.bed_type} {self.day:%d/%m/%Y}: {self.occupied}"


class FacilityStaff(models.Model):
    """Links a facility officer's account to the one facility they work for. A separate
    table keeps accounts.User unchanged; one row per account (a person working at two sites
    has two accounts, so each page shows one facility's data)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facility_staff"
    )
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="staff")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.facility_id}"


class ReadinessPlan(models.Model):
    """What a district or the province plans to have ready for an epidemic level or a case
    scenario ("4 tại chỗ"): beds by type, staff, oxygen and medicine bags. The board sets it
    against what exists today. Rows are replaced by new ones (the newest of a unit and
    scenario is current), so earlier plans stay readable."""

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    scenario = models.CharField(_("tình huống"), max_length=120)
    epidemic_level = models.PositiveSmallIntegerField(_("cấp độ dịch"), null=True, blank=True)
    active_cases = models.PositiveIntegerField(_("số F0 đang điều trị dự kiến"), default=0)
    beds_regular = models.PositiveIntegerField(_("giường thường"), default=0)
    beds_oxygen = models.PositiveIntegerField(_("giường có oxy"), default=0)
    beds_icu = models.PositiveIntegerField(_("giường hồi sức tích cực"), default=0)
    beds_ventilator = models.PositiveIntegerField(_("giường thở máy"), default=0)
    staff = models.PositiveIntegerField(_("nhân lực y tế"), default=0)
    oxygen_kg = models.PositiveIntegerField(_("oxy (kg)"), default=0)
    medicine_bags = models.PositiveIntegerField(_("túi thuốc"), default=0)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["epidemic_level", "active_cases", "-created_at"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.scenario}"

    def beds_needed(self, bed_type: str) -> int:
        return getattr(self, f"beds_{bed_type}")
