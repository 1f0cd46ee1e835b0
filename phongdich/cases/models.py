"""F0 cases: registry, home-care checks, alerts, transfers, outcomes, daily announcements."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from phongdich.geo.province import CodedQuerySet, name_codes, province_field
from phongdich.geo.province import code_of as case_province
from phongdich.lib.idempotency import SubmittedOnce
from phongdich.lib.link_sends import LinkSend
from phongdich.lib.tokens import PersonalLinkMixin


class CaseStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xác minh")
    ACTIVE = "active", _("Đang điều trị/theo dõi")
    TRANSFERRED = "transferred", _("Đã chuyển viện")
    RECOVERED = "recovered", _("Đã khỏi bệnh")
    DIED = "died", _("Tử vong")


# Statuses in which a case still needs the commune's attention.
OPEN_STATUSES = (CaseStatus.PENDING, CaseStatus.ACTIVE, CaseStatus.TRANSFERRED)


class ConfirmationBasis(models.TextChoices):
    # Công văn 11042/BYT-DP
    PCR = "pcr", _("RT-PCR dương tính")
    F1_RAT = "f1_rat", _("F1 có test nhanh dương tính")
    SYMPTOMS_RAT_LINK = "symptoms_rat_link", _("Triệu chứng + test nhanh + yếu tố dịch tễ")
    TWO_RATS_LINK = "two_rats_link", _("Hai test nhanh trong 8 giờ + yếu tố dịch tễ")
    TO_VERIFY = "", _("Cần xác minh")


class DetectionSetting(models.TextChoices):
    # The epidemic-level rate counts community cases only (4800/QĐ-BYT, 218/QĐ-BYT).
    COMMUNITY = "community", _("Cộng đồng")
    QUARANTINE = "quarantine", _("Khu cách ly")
    LOCKDOWN = "lockdown", _("Khu phong tỏa")
    SCREENING = "screening", _("Xét nghiệm sàng lọc")


class OccupationGroup(models.TextChoices):
    STUDENT = "student", _("Học sinh, sinh viên")
    TEACHER = "teacher", _("Giáo viên")
    WORKER = "worker", _("Công nhân")
    CIVIL_SERVANT = "civil_servant", _("Cán bộ, công chức")
    HEALTH_WORKER = "health_worker", _("Nhân viên y tế")
    OTHER = "other", _("Khác")


class Vaccination(models.TextChoices):
    NONE = "none", _("Chưa tiêm")
    PARTIAL = "partial", _("Chưa đủ liều cơ bản")
    FULL = "full", _("Đủ liều cơ bản")
    BOOSTED = "boosted", _("Đã tiêm nhắc lại")


class SeverityLevel(models.TextChoices):
    # 4689/QĐ-BYT; "không triệu chứng" added by 250/QĐ-BYT
    ASYMPTOMATIC = "asymptomatic", _("Không triệu chứng")
    MILD = "mild", _("Nhẹ")
    MODERATE = "moderate", _("Trung bình")
    SEVERE = "severe", _("Nặng")
    CRITICAL = "critical", _("Nguy kịch")


class TreatmentPlace(models.TextChoices):
    HOME = "home", _("Tại nhà")
    ISOLATION = "isolation", _("Khu cách ly F0")
    TIER1 = "tier1", _("Cơ sở tầng 1")
    TIER2 = "tier2", _("Bệnh viện tầng 2")
    TIER3 = "tier3", _("Bệnh viện tầng 3")
    ICU = "icu", _("Hồi sức tích cực")


class TransferNeed(models.TextChoices):
    """Why an F0 must be moved off home care; shown in the queue's "Cần chuyển tuyến"
    section until a transfer or an override with a reason is recorded."""

    NONE = "", _("Không")
    ALERT = "alert", _("Cảnh báo nguy hiểm đã chuyển tuyến")
    INELIGIBLE = "ineligible", _("Không đủ điều kiện điều trị tại nhà")
    SEVERE = "severe", _("Mức độ nặng")


class CaseSource(models.TextChoices):
    STAFF = "staff", _("Nhân viên y tế nhập")
    IMPORT = "import", _("Nhập từ tệp")
    LAB = "lab", _("Phòng xét nghiệm gửi")
    SELF = "self", _("Người dân tự khai báo")
    HOSPITAL = "hospital", _("Nhập viện")


class Case(models.Model):
    """One F0 episode of one person.

    On PostgreSQL the table is partitioned by `province` (migration 0012): an INSERT is
    routed to its partition before the fill trigger runs, so every insert path names the
    code itself (`save()`, `bulk_create`), from the commune it holds; the trigger stays as
    the check that it is right. The rows pointing at a case do so without a database key
    (`db_constraint=False`; Django keeps the on_delete rules), except the checks, whose
    `(case_id, province)` is a composite foreign key in SQL.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("người")
    )
    # The commune whose station and care team look after this F0 (scope of every read).
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường")
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    # Province (GSO code) of the case's commune; set by a trigger on
    # every insert path (geo.province), named by the province pages' queries.
    province = province_field()
    PROVINCE_FROM = "commune"
    source = models.CharField(max_length=10, choices=CaseSource.choices)
    basis = models.CharField(
        _("căn cứ khẳng định"), max_length=20, choices=ConfirmationBasis.choices, blank=True
    )
    basis_reason = models.CharField(_("lý do"), max_length=255, blank=True)
    is_f1 = models.BooleanField(_("là F1"), default=False)
    has_symptoms = models.BooleanField(_("có triệu chứng"), default=False)
    has_epi_link = models.BooleanField(_("có yếu tố dịch tễ"), default=False)
    detection = models.CharField(
        _("nơi phát hiện"),
        max_length=12,
        choices=DetectionSetting.choices,
        default=DetectionSetting.COMMUNITY,
    )
    occupation = models.CharField(
        _("nhóm nghề nghiệp"),
        max_length=16,
        choices=OccupationGroup.choices,
        default=OccupationGroup.OTHER,
    )
    vaccination = models.CharField(
        _("tiêm chủng khi phát hiện"),
        max_length=10,
        choices=Vaccination.choices,
        default=Vaccination.NONE,
    )
    comorbidities = models.CharField(_("bệnh nền"), max_length=255, blank=True)
    comorbidity_stable = models.BooleanField(_("bệnh nền ổn định"), default=False)
    pregnant = models.BooleanField(_("đang mang thai"), default=False)
    can_self_care = models.BooleanField(_("tự chăm sóc được hoặc có người chăm sóc"), default=True)
    severity = models.CharField(
        _("mức độ"), max_length=12, choices=SeverityLevel.choices, default=SeverityLevel.MILD
    )
    treatment_place = models.CharField(
        _("nơi điều trị"), max_length=10, choices=TreatmentPlace.choices, default="home"
    )
    facility = models.ForeignKey(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("cơ sở điều trị"),
    )
    home_care_eligible = models.BooleanField(_("đủ điều kiện điều trị tại nhà"), default=True)
    home_care_reasons = models.JSONField(default=list, blank=True)
    home_care_override = models.CharField(_("lý do điều chỉnh"), max_length=255, blank=True)
    # A transfer to do (services/transfer_need.py): set by an escalated danger alert, an
    # ineligibility or a severity of "nặng" while the F0 is not in a hospital; cleared by a
    # transfer or by an override with a reason. `transfer_waived` remembers which reason was
    # overridden so the same finding does not raise it again on the next check.
    transfer_need = models.CharField(
        _("cần chuyển tuyến"), max_length=12, choices=TransferNeed.choices, blank=True
    )
    transfer_need_since = models.DateTimeField(null=True, blank=True)
    transfer_need_note = models.CharField(_("ghi chú chuyển tuyến"), max_length=255, blank=True)
    transfer_waived = models.CharField(max_length=12, choices=TransferNeed.choices, blank=True)
    diagnosed_on = models.DateField(_("ngày khẳng định"))
    isolation_start = models.DateField(_("bắt đầu cách ly"))
    isolation_end = models.DateField(_("kết thúc cách ly"), null=True, blank=True)
    # Denormalised for the care-team queue, which sorts thousands of rows by them; kept in
    # step by the services that write checks and alerts.
    last_check_at = models.DateTimeField(null=True, blank=True)
    open_alerts = models.PositiveSmallIntegerField(default=0)
    open_danger_alerts = models.PositiveSmallIntegerField(default=0)
    risk_score = models.PositiveSmallIntegerField(default=0)
    # Self-declaration evidence (private media, served to staff only).
    self_test_photo = models.FileField(upload_to="cases/selftests/%Y/%m/", blank=True)
    # Unique with the province (case_certificate_code_uniq): a random code of 20+ characters.
    # NULL, not "", for a case without one, so the unique key leaves those out.
    certificate_code = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001
    released_on = models.DateField(_("ngày khỏi bệnh"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CodedQuerySet.as_manager()

    class Meta:
        indexes = [
            # serves the care-team queue filter (a commune's active cases); sorting its few
            # thousand rows by the alert counters is then cheap in memory
            models.Index(fields=["commune", "status"], name="case_queue_idx"),
            # serves a province's care queue and figures (its active cases)
            models.Index(fields=["province", "status"], name="case_province_status_idx"),
            # The care queue's keyset order has its own index on PostgreSQL only
            # (migration 0009, case_queue_order_idx): SQLite refuses NULLS FIRST in an index.
            # serves the no-contact scan: active home cases whose last check is old
            models.Index(fields=["status", "last_check_at"], name="case_contact_idx"),
            # serves the daily report: cases confirmed on a day
            models.Index(fields=["diagnosed_on"], name="case_diagnosed_idx"),
        ]
        constraints = [
            # One open episode per person, enforced by the database: two registrations of
            # one F0 racing past the "already a case?" check cannot both insert. The
            # province is in the key because PostgreSQL requires the partition key in every
            # unique constraint; across provinces the key table `cases_case_open`, kept by
            # triggers (migration 0012), refuses a second open case on PostgreSQL.
            models.UniqueConstraint(
                fields=["person", "province"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="case_one_open_per_person",
            ),
            # The recovery certificate's verification code (lookups by code alone probe
            # each partition's index); the province is in it for the same reason.
            models.UniqueConstraint(
                fields=["certificate_code", "province"], name="case_certificate_code_uniq"
            ),
        ]
        verbose_name = _("ca bệnh F0")

    def __str__(self) -> str:
        return f"F0 #{self.pk} {self.person}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            name_codes([self], "commune")
        super().save(*args, **kwargs)

    @property
    def fully_vaccinated(self) -> bool:
        return self.vaccination in (Vaccination.FULL, Vaccination.BOOSTED)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def certificate_number(self) -> str:
        """The recovery certificate's document number ("Số: 000123/GXN-2022"): one
        certificate per case, so the case id makes it unique without a counter to keep;
        the year of release follows, as station registers number papers by year."""
        if not self.released_on:
            return ""
        return f"{self.pk:06d}/GXN-{self.released_on:%Y}"


class LabResult(models.Model):
    """Retired: the results recorded before every test lived in the labtests app. Migration
    labtests 0005 copied each row into `labtests.Sample` (its `legacy_result_id` points
    back here); nothing writes or reads this table any more. It is kept, read-only, because
    audit entries name its rows as their targets and it is the copy to compare against
    until the move is checked in production; a later migration drops it."""

    class Kind(models.TextChoices):
        PCR = "pcr", _("RT-PCR")
        RAT = "rat", _("Test nhanh kháng nguyên")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # No database key: cases_case is partitioned (migration 0012); Django applies SET_NULL.
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tests",
        db_constraint=False,
    )
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    positive = models.BooleanField()
    taken_at = models.DateTimeField()
    supervised = models.BooleanField(default=True)
    lab = models.CharField(max_length=60, blank=True)
    sample_id = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lab", "sample_id"],
                condition=~models.Q(sample_id=""),
                name="lab_result_sample_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.lab} {self.sample_id}".strip()


class HealthCheck(models.Model):
    """One monitoring form (261: twice a day and whenever a warning sign appears).

    On PostgreSQL the table is partitioned by `province` (migration 0011): an INSERT is
    routed to its partition before the fill trigger runs, so every insert path names the
    code itself (`save()`, `bulk_create`, the check service), taken from the case row it
    already holds; the trigger stays as the check that it is right.
    """

    class Source(models.TextChoices):
        SELF = "self", _("F0 tự khai")
        STAFF = "staff", _("Nhân viên nhập qua điện thoại")

    # Django's key has no database constraint: on PostgreSQL a composite foreign key
    # (case_id, province) -> cases_case (id, province) ON UPDATE CASCADE stands for it
    # (migration 0012), which also keeps a check in its case's province.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="checks", db_constraint=False
    )
    # Province (GSO code) of the check's case (follows the case): the partition key on
    # PostgreSQL. Named by every insert (case_province), checked by a trigger (geo.province).
    province = province_field()
    PROVINCE_FROM = "case__commune"
    at = models.DateTimeField()
    source = models.CharField(max_length=6, choices=Source.choices)
    temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    danger_signs = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A random key put in the form when it is shown: a double submit carries the same key and
    # hits the unique constraint, so it records one check.
    submission_key = models.CharField(max_length=40)

    objects = CodedQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        constraints = [
            # The province is in the key because PostgreSQL requires the partition key in
            # every unique constraint; a case's checks all share its province, so it is
            # still one check per case and key.
            models.UniqueConstraint(
                fields=["case", "submission_key", "province"], name="check_once_uniq"
            )
        ]
        indexes = [models.Index(fields=["case", "-at"], name="check_case_at_idx")]

    def __str__(self) -> str:
        return f"Phiếu theo dõi F0 #{self.case_id} {self.at:%d/%m %H:%M}"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.province:
            self.province = case_province(self.case)
        super().save(*args, **kwargs)

    @property
    def has_danger(self) -> bool:
        return bool(self.danger_signs)


class Alert(models.Model):
    class Kind(models.TextChoices):
        DANGER = "danger", _("Dấu hiệu nguy hiểm")
        NO_CONTACT = "no_contact", _("Mất liên lạc")

    class Status(models.TextChoices):
        OPEN = "open", _("Mới")
        ACKNOWLEDGED = "acknowledged", _("Đã tiếp nhận")
        RESOLVED = "resolved", _("Đã xử lý")
        ESCALATED = "escalated", _("Đã chuyển tuyến trên")

    class Outcome(models.TextChoices):
        # What the care team did; closing a danger alert needs one and a note.
        NONE = "", _("—")
        CALLED = "called", _("Đã gọi điện, tiếp tục theo dõi")
        ADVISED = "advised", _("Đã tư vấn xử trí tại nhà")
        TRANSFERRED = "transferred", _("Đã chuyển tuyến")
        FALSE_READING = "false_reading", _("Đo hoặc nhập sai")

    # No database key: cases_case is partitioned (migration 0012); Django cascades.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="alerts", db_constraint=False
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    reasons = models.JSONField(default=list)
    # No database constraint: a foreign key into the partitioned checks table would have
    # to name its whole key (id, province). Django still applies SET_NULL on delete.
    health_check = models.ForeignKey(
        HealthCheck,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)

    OPEN_STATES = (Status.OPEN, Status.ACKNOWLEDGED)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "status"], name="alert_case_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} F0 #{self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES


class CaseLink(PersonalLinkMixin):
    """The F0's personal link to the check form (no account)."""

    # No database key: cases_case is partitioned (migration 0012); Django cascades.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="links", db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Link F0 #{self.case_id}"


class CaseLinkSend(LinkSend):
    """One sending of the F0's personal link by SMS or Zalo (the link itself is not kept:
    only its hash is stored, on CaseLink). The submission key makes a double tap one send."""

    # No database key: cases_case is partitioned (migration 0012); Django cascades.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="link_sends", db_constraint=False
    )

    def __str__(self) -> str:
        return f"{self.get_channel_display()} F0 #{self.case_id}"


class Transfer(models.Model):
    # No database key: cases_case is partitioned (migration 0012); Django cascades.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="transfers", db_constraint=False
    )
    from_place = models.CharField(max_length=10, choices=TreatmentPlace.choices)
    to_place = models.CharField(max_length=10, choices=TreatmentPlace.choices)
    facility = models.ForeignKey(
        "facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("lý do"), max_length=500)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Chuyển F0 #{self.case_id} → {self.to_place}"


class Death(models.Model):
    class Dossier(models.TextChoices):
        # Seed 000: families get social-welfare support once the dossier is paid.
        COLLECTING = "collecting", _("Đang thu thập hồ sơ")
        COLLECTED = "collected", _("Đã đủ hồ sơ")
        SENT = "sent", _("Đã gửi Sở LĐ-TB&XH")
        PAID = "paid", _("Đã chi trả")

    # No database key: cases_case is partitioned (migration 0012); Django cascades.
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="death", db_constraint=False
    )
    died_on = models.DateField(_("ngày mất"))
    place = models.CharField(_("nơi mất"), max_length=200)
    cause = models.CharField(_("nguyên nhân"), max_length=500)
    # Seed 000: only PCR-confirmed deaths are announced as COVID-19 deaths.
    pcr_confirmed = models.BooleanField(_("khẳng định bằng RT-PCR"), default=False)
    dossier_status = models.CharField(
        _("hồ sơ hỗ trợ"), max_length=12, choices=Dossier.choices, default=Dossier.COLLECTING
    )
    dossier_updated_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    DOSSIER_ORDER = ("collecting", "collected", "sent", "paid")

    def __str__(self) -> str:
        return f"Tử vong F0 #{self.case_id}"


class MedicineBag(SubmittedOnce):
    class Kind(models.TextChoices):
        # Ministry medicine bags for F0 at home: A (symptoms), B (antiviral, prescribed),
        # C (anti-inflammatory, prescribed).
        A = "A", _("Túi thuốc A")
        B = "B", _("Túi thuốc B")
        C = "C", _("Túi thuốc C")

    # No database key: cases_case is partitioned (migration 0012); Django cascades.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="medicine_bags", db_constraint=False
    )
    kind = models.CharField(_("loại túi"), max_length=1, choices=Kind.choices)
    handed_on = models.DateField(_("ngày cấp"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Túi thuốc {self.kind} F0 #{self.case_id}"


class MobileStationVisit(SubmittedOnce):
    # No database key: cases_case is partitioned (migration 0012); Django cascades.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="mobile_visits", db_constraint=False
    )
    station = models.ForeignKey(
        "facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("ngày khám"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Khám lưu động F0 #{self.case_id}"


class DailyReport(models.Model):
    """The province's daily announcement: drafted from the registry, reviewed, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đã công bố")

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    report_date = models.DateField(_("ngày báo cáo"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField(default=dict)
    # Seed 000: figures must be "thực chất, khách quan và có lý giải hợp lý" — the reviewer's
    # explanation is published with them.
    commentary = models.TextField(_("nhận định, lý giải"), blank=True)
    drafted_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-report_date"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "report_date"], name="daily_report_uniq")
        ]

    def __str__(self) -> str:
        return f"Báo cáo {self.report_date:%d/%m/%Y}"


class ThresholdRow(models.Model):
    """One clinical threshold of `rules.THRESHOLDS` as the province's editable row (its value,
    regulation, date, and whether it was checked against the regulation's text). Seeded
    from the built-in table; the keys are fixed (the rules name them), only the values and
    their citation change, on the policy pages (/policy/case-thresholds/)."""

    key = models.SlugField(_("mã"), max_length=60, unique=True)
    value = models.FloatField(
        _("giá trị"), validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("ngưỡng lâm sàng")

    def __str__(self) -> str:
        return f"{self.key} = {self.value:g}"
