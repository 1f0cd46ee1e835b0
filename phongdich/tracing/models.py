"""Contacts (F1 of a case, F2 of an F1), clusters (ổ dịch) and the precomputed tracing
indicators of WHO's guidance, per commune and day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phongdich.geo.province import CodedQuerySet, name_codes, province_field


class Setting(models.TextChoices):
    HOUSEHOLD = "household", _("Hộ gia đình")
    WORKPLACE = "workplace", _("Nơi làm việc")
    SCHOOL = "school", _("Trường học")
    MARKET = "market", _("Chợ")
    HEALTH_FACILITY = "health_facility", _("Cơ sở y tế")
    TRANSPORT = "transport", _("Phương tiện giao thông")
    OTHER = "other", _("Khác")


class Criterion(models.TextChoices):
    """F1 criteria of Công văn 11042/BYT-DP (RULES.md, "F1 (11042)")."""

    PHYSICAL = "physical", _("Tiếp xúc cơ thể trực tiếp với F0")
    MASKED_CLOSE = "masked_close", _("Đeo khẩu trang, trong 2 m hoặc cùng không gian kín ≥ 15 phút")
    UNMASKED = "unmasked", _("Tiếp xúc gần không đeo khẩu trang")
    CARE = "care", _("Chăm sóc F0 không đủ bảo hộ")
    UNKNOWN = "unknown", _("Chưa xác định")


class ContactStatus(models.TextChoices):
    LISTED = "listed", _("Đã lập danh sách")
    NOTIFIED = "notified", _("Đã liên hệ được")
    QUARANTINED = "quarantined", _("Đang cách ly")
    TESTED = "tested", _("Đã xét nghiệm")
    RELEASED = "released", _("Kết thúc theo dõi")
    BECAME_CASE = "became_case", _("Trở thành F0")


class Contact(models.Model):
    """One person exposed to one source: a case (F1) or another contact (F2)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="tracing_contacts"
    )
    # No database key: cases_case is partitioned (cases 0012); Django applies PROTECT.
    source_case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_constraint=False,
    )
    # No database constraint: a foreign key into the partitioned contact table, itself
    # included, would have to name its whole key (id, province) (migration 0004). Django
    # still protects an F1 with F2 from deletion.
    source_contact = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        db_constraint=False,
    )
    generation = models.PositiveSmallIntegerField(default=1)  # 1 = F1, 2 = F2
    # Tracing work belongs to the commune where the contact lives (issue 13); the source's
    # commune is kept too, so the commune that listed the contact still sees it.
    commune = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_commune = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Province (GSO code) of the commune where the contact lives ("" without one): the
    # partition key on PostgreSQL. Named by every insert (`name_codes`), checked by a
    # trigger (geo.province), named by the province pages.
    province = province_field()
    PROVINCE_FROM = "commune"
    # Province of the source's commune (the F0 or F1 who listed the contact), filled the
    # same way: the list's "listed by an F0 here" branch names it (selectors._inside).
    source_province = province_field()
    exposure_date = models.DateField(_("ngày tiếp xúc"))
    setting = models.CharField(_("nơi tiếp xúc"), max_length=20, choices=Setting.choices)
    criterion = models.CharField(
        _("tiêu chí F1"), max_length=20, choices=Criterion.choices, default=Criterion.UNKNOWN
    )
    relationship = models.CharField(_("quan hệ với nguồn"), max_length=100, blank=True)
    place = models.CharField(_("địa điểm tiếp xúc"), max_length=255, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=ContactStatus.choices, default=ContactStatus.LISTED
    )
    tracer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(
        "Cluster", null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    # No database key: cases_case is partitioned (cases 0012); Django applies SET_NULL.
    became_case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="from_contacts",
        db_constraint=False,
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    quarantined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CodedQuerySet.as_manager()

    class Meta:
        verbose_name = _("người tiếp xúc")
        indexes = [
            # serves the commune's list of contacts by status
            models.Index(fields=["commune", "status"], name="contact_commune_status_idx"),
            # serves a province's list of contacts by status
            models.Index(fields=["province", "status"], name="contact_province_status_idx"),
            # serves a province's contacts listed by its F0 but living in another province
            models.Index(fields=["source_province", "status"], name="contact_source_province_idx"),
            # serves the indicator job: contacts listed on a day
            models.Index(fields=["created_at"], name="contact_created_idx"),
        ]
        constraints = [
            # The same person recorded twice for one source is one contact, also when two
            # tracers (or an import and a tracer) record them at once. `province` is in
            # both keys because PostgreSQL requires the partition key in each (migration
            # 0004); a contact takes its person's commune, so it is still one per source
            # and person (docs/operations.md "National scale").
            models.UniqueConstraint(
                fields=["source_case", "person", "province"],
                condition=Q(source_case__isnull=False),
                name="contact_one_per_case_person",
            ),
            models.UniqueConstraint(
                fields=["source_contact", "person", "province"],
                condition=Q(source_contact__isnull=False),
                name="contact_one_per_contact_person",
            ),
            models.CheckConstraint(
                condition=Q(source_case__isnull=False, source_contact__isnull=True)
                | Q(source_case__isnull=True, source_contact__isnull=False),
                name="contact_exactly_one_source",
            ),
        ]

    def __str__(self):
        return f"F{self.generation} #{self.pk}"

    def save(self, *args, **kwargs):
        # A partitioned table routes the INSERT before the fill trigger runs: name the code.
        if self._state.adding:
            name_codes([self], "commune")
        super().save(*args, **kwargs)


class ClusterStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    CLOSED = "closed", _("Đã đóng")


class Cluster(models.Model):
    """An ổ dịch: a place or event with its cases and contacts, opened and closed with dates."""

    name = models.CharField(_("tên ổ dịch"), max_length=200)
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường")
    )
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    source_note = models.CharField(_("nguồn lây"), max_length=255, blank=True)
    source_not_found = models.BooleanField(_("chưa tìm ra nguồn lây"), default=False)
    opened_on = models.DateField(_("ngày mở"))
    first_case_on = models.DateField(_("ca đầu tiên"), null=True, blank=True)
    last_case_on = models.DateField(_("ca gần nhất"), null=True, blank=True)
    close_after_days = models.PositiveSmallIntegerField(
        _("đóng sau số ngày không có ca mới"), default=28
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ClusterStatus.choices, default=ClusterStatus.ACTIVE
    )
    closed_on = models.DateField(_("ngày đóng"), null=True, blank=True)
    # The link table's case_id has no database key: cases_case is partitioned (cases 0012).
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="clusters", db_constraint=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ổ dịch")
        indexes = [models.Index(fields=["commune", "status"], name="cluster_commune_status_idx")]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    """Counts behind the tracing indicators of one commune on one day (recomputed by the
    periodic job `tracing.refresh_indicators`); pages sum them and divide, never COUNT(*)
    the contact table. The shares are in `rules.indicator_shares`."""

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    new_cases = models.PositiveIntegerField(default=0)
    contacts_of_new_cases = models.PositiveIntegerField(default=0)
    contacts_listed_24h = models.PositiveIntegerField(default=0)
    new_cases_known_contacts = models.PositiveIntegerField(default=0)
    contacts_listed = models.PositiveIntegerField(default=0)
    contacts_quarantined = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="tracing_indicator_unit_day")
        ]
        # serves the indicators page: a range of days for the units below one
        indexes = [models.Index(fields=["day", "unit"], name="tracing_indicator_day_idx")]

    def __str__(self):
        return f"{self.unit_id} {self.day:%d/%m/%Y}"
