"""Vaccination: products and dated schedule rows (policy data), doses matched to people,
and the data-quality queue of doses no person could be matched to with confidence."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phongdich.geo.province import code_of, province_field
from phongdich.lib.idempotency import SubmittedOnce
from phongdich.lib.link_sends import LinkSend
from phongdich.lib.tokens import PersonalLinkMixin

from . import rules
from .dose_province import DoseQuerySet

AGE_MAX = 130


class DoseKind(models.TextChoices):
    PRIMARY = rules.PRIMARY, _("Liều cơ bản")
    ADDITIONAL = rules.ADDITIONAL, _("Liều bổ sung")
    BOOSTER = rules.BOOSTER, _("Liều nhắc lại")


class SiteKind(models.TextChoices):
    FIXED = "fixed", _("Điểm tiêm cố định")
    MOBILE = "mobile", _("Đội tiêm lưu động")
    FACILITY = "facility", _("Cơ sở y tế")


class Source(models.TextChoices):
    ENTERED = "entered", _("Cán bộ nhập")
    IMPORTED = "imported", _("Nhập từ tệp")
    API = "api", _("Qua API")


# --- policy data (edited on /policy/, seeded from rules.py) ---------------------------------


class VaccineProduct(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên vắc xin"), max_length=120)
    primary_doses = models.PositiveSmallIntegerField(
        _("số mũi cơ bản"), default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    # Extra words the import accepts for this product ("AZD1222", "Comirnaty"), separated by ;
    aliases = models.CharField(_("tên khác (cách nhau bằng ;)"), max_length=300, blank=True)
    regulation = models.CharField(_("văn bản quy định"), max_length=200, blank=True)
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=True)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vắc xin")

    def __str__(self) -> str:
        return self.name


class IntervalRow(models.Model):
    """A dated interval before dose `dose_number` (rules.Interval)."""

    key = models.SlugField(_("mã"), max_length=40, unique=True)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    product = models.ForeignKey(
        VaccineProduct,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("sau mũi trước của vắc xin (trống: mọi loại)"),
    )
    dose_number = models.PositiveSmallIntegerField(
        _("mũi"), validators=[MinValueValidator(2), MaxValueValidator(6)]
    )
    kind = models.CharField(_("loại liều"), max_length=12, choices=DoseKind.choices)
    min_age = models.PositiveSmallIntegerField(
        _("từ tuổi"), null=True, blank=True, validators=[MaxValueValidator(AGE_MAX)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("đến dưới tuổi"), null=True, blank=True, validators=[MaxValueValidator(AGE_MAX)]
    )
    min_days = models.PositiveSmallIntegerField(
        _("khoảng cách tối thiểu (ngày)"), validators=[MaxValueValidator(1000)]
    )
    recommended_days = models.PositiveSmallIntegerField(
        _("khoảng cách khuyến cáo (ngày)"), validators=[MaxValueValidator(1000)]
    )
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["dose_number", "valid_from", "key"]
        verbose_name = _("khoảng cách giữa các mũi")

    def __str__(self) -> str:
        return f"{self.key} · {self.valid_from:%d/%m/%Y}"


class EligibilityRow(models.Model):
    """From `valid_from`, people aged [min_age, max_age) may be vaccinated with `product`."""

    key = models.SlugField(_("mã"), max_length=40, unique=True)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    product = models.ForeignKey(
        VaccineProduct,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("vắc xin (trống: mọi loại)"),
    )
    min_age = models.PositiveSmallIntegerField(
        _("từ tuổi"), validators=[MaxValueValidator(AGE_MAX)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("đến dưới tuổi"), null=True, blank=True, validators=[MaxValueValidator(AGE_MAX)]
    )
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["valid_from", "min_age", "key"]
        verbose_name = _("độ tuổi được tiêm")

    def __str__(self) -> str:
        return f"{self.key} · {self.valid_from:%d/%m/%Y}"


class MixRow(models.Model):
    """Primary dose `dose_number` of `then` may follow `first` (a mixed schedule)."""

    key = models.SlugField(_("mã"), max_length=40, unique=True)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    first = models.ForeignKey(
        VaccineProduct, on_delete=models.PROTECT, related_name="+", verbose_name=_("mũi trước")
    )
    then = models.ForeignKey(
        VaccineProduct, on_delete=models.PROTECT, related_name="+", verbose_name=_("mũi sau")
    )
    dose_number = models.PositiveSmallIntegerField(
        _("mũi"), default=2, validators=[MinValueValidator(2), MaxValueValidator(6)]
    )
    min_age = models.PositiveSmallIntegerField(
        _("từ tuổi"), null=True, blank=True, validators=[MaxValueValidator(AGE_MAX)]
    )
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["valid_from", "key"]
        verbose_name = _("phối hợp vắc xin")

    def __str__(self) -> str:
        return self.key


# --- doses ------------------------------------------------------------------------------------


class DoseFields(models.Model):
    """What a dose record says, whether matched to a person (Dose) or waiting (DoseReview)."""

    product = models.ForeignKey(VaccineProduct, on_delete=models.PROTECT, verbose_name=_("vắc xin"))
    dose_number = models.PositiveSmallIntegerField(
        _("mũi số"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    kind = models.CharField(_("loại liều"), max_length=12, choices=DoseKind.choices)
    given_on = models.DateField(_("ngày tiêm"))
    site_kind = models.CharField(
        _("loại điểm tiêm"), max_length=12, choices=SiteKind.choices, default=SiteKind.FIXED
    )
    site_name = models.CharField(_("điểm tiêm"), max_length=200, blank=True)
    lot = models.CharField(_("số lô"), max_length=40, blank=True)
    source = models.CharField(
        _("nguồn"), max_length=12, choices=Source.choices, default=Source.ENTERED
    )
    # The source's own id (the national platform's record id): re-imports meet on it.
    source_id = models.CharField(_("mã bản ghi nguồn"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def dose_fact(self) -> rules.DoseFact:
        return rules.DoseFact(
            self.product.code, self.dose_number, self.kind, self.given_on, getattr(self, "pk", None)
        )


class Dose(DoseFields):
    # No index of its own: dose_person_number_day (person, dose number, day) leads with the
    # person and serves every read by person and the PROTECT check; a second index was
    # upkeep on every dose written (issue 11, the bulk import).
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="doses",
        verbose_name=_("người"),
        db_index=False,
    )
    # Province (GSO code) of the dose's person (follows the person): the partition key on
    # PostgreSQL (migration 0015), named by the province pages' queries. Written by every
    # insert path (save, bulk_create, the bulk import, the demo: dose_province), checked
    # against the person on every insert (0014); a trigger fills a code left empty.
    province = province_field()
    PROVINCE_FROM = "person__commune"
    # The rules the dose broke when recorded (rules.VIOLATIONS, separated by ","), kept for
    # the review list; the dose itself counts as recorded.
    flags = models.CharField(max_length=120, blank=True)
    # Indexed only where set (dose_flags_cleared_by_idx): nearly every dose has none, and
    # a full index took an entry per dose written for the one read a user's deletion makes.
    flags_cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = DoseQuerySet.as_manager()

    class Meta:
        ordering = ["person", "given_on", "dose_number"]
        # Both keys name the province because PostgreSQL requires the partition key in
        # every unique constraint (migration 0015). A person's doses share the person's
        # code, so the first is still one dose per person, number and day; the second makes
        # a source id unique per province: the import and dose_record look a source id up
        # in every province (and lock it) before inserting, so a re-import still meets it.
        constraints = [
            # Idempotency of entry and re-import without a source id.
            models.UniqueConstraint(
                fields=["person", "dose_number", "given_on", "province"],
                name="dose_person_number_day",
            ),
            # Idempotency of re-imports from one source.
            models.UniqueConstraint(
                fields=["source", "source_id", "province"],
                condition=~Q(source_id=""),
                name="dose_source_id",
            ),
        ]
        indexes = [
            # The review list: doses with flags not yet cleared.
            models.Index(
                fields=["created_at"],
                condition=~Q(flags="") & Q(flags_cleared_by__isnull=True),
                name="dose_flagged_idx",
            ),
            models.Index(
                fields=["flags_cleared_by"],
                condition=Q(flags_cleared_by__isnull=False),
                name="dose_flags_cleared_by_idx",
            ),
        ]
        verbose_name = _("mũi tiêm")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.dose_number} · {self.given_on:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.province:
            self.province = code_of(self.person)
        super().save(*args, **kwargs)

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]


class DoseReview(DoseFields):
    """A dose whose person could not be found with confidence: staff match it to a
    candidate or register the person; it never attaches itself to a guess."""

    class Reason(models.TextChoices):
        NO_MATCH = "no_match", _("Không tìm thấy người khớp")
        WEAK = "weak", _("Chỉ khớp một phần (cần cán bộ xác định)")
        CONFLICT = "conflict", _("Thông tin khớp với nhiều người khác nhau")
        UNLINKED = "unlinked", _("Đã gỡ khỏi người bị ghép nhầm")

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ xử lý")
        MATCHED = "matched", _("Đã gắn với người có sẵn")
        CREATED = "created", _("Đã đăng ký người mới")

    full_name = models.CharField(_("họ và tên"), max_length=120)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=12, blank=True)
    id_number = models.CharField(_("CCCD/CMND"), max_length=12, blank=True)
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường")
    )
    # sha256 of the typed identity: a re-import of a row with no source id meets its review.
    identity_key = models.CharField(max_length=64)
    reason = models.CharField(_("lý do"), max_length=12, choices=Reason.choices)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    # No database key: one into the partitioned doses would have to name (id, province)
    # (migration 0015); Django still applies PROTECT.
    dose = models.OneToOneField(
        Dose,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review",
        db_constraint=False,
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # A dose staff took off a wrongly matched person (services.dose_unlink): who it was on,
    # and why; that person is left out of the candidates shown for it.
    unlinked_from = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unlink_reason = models.CharField(_("lý do gỡ"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["identity_key", "dose_number", "given_on"], name="dosereview_identity_day"
            ),
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source_id=""),
                name="dosereview_source_id",
            ),
        ]
        indexes = [
            # The queue of a jurisdiction: open reviews by commune.
            models.Index(fields=["status", "commune"], name="dosereview_queue_idx"),
        ]
        verbose_name = _("mũi tiêm chờ xác định người")

    def __str__(self) -> str:
        return f"{self.full_name} · {self.dose_number} · {self.given_on:%d/%m/%Y}"


# --- coverage (precomputed for dashboards and the epidemic level) ---------------------------


class CoverageBand(models.TextChoices):
    ALL = "all", _("Toàn bộ dân số")
    AGE_5_11 = "5-11", _("5 đến 11 tuổi")
    AGE_12_17 = "12-17", _("12 đến 17 tuổi")
    AGE_18_PLUS = "18+", _("Từ 18 tuổi")
    AGE_50_PLUS = "50+", _("Từ 50 tuổi")
    AGE_65_PLUS = "65+", _("Từ 65 tuổi")
    # People at high risk (218/QĐ-BYT): 50+ by age, or any stored risk flag; then one band
    # per stored group.
    HIGH_RISK = "risk", _("Nhóm nguy cơ cao")
    COMORBIDITY = "comorbid", _("Người có bệnh nền")
    PREGNANT = "pregnant", _("Phụ nữ có thai")
    HEALTH_WORKER = "health", _("Nhân viên y tế")
    TEACHER = "teacher", _("Giáo viên")
    ENTERPRISE = "enterprise", _("Người lao động doanh nghiệp")


class RiskGroup(models.TextChoices):
    """Risk groups stored per person (50+ and 65+ come from the age)."""

    COMORBIDITY = "comorbid", _("Người có bệnh nền")
    PREGNANT = "pregnant", _("Phụ nữ có thai")
    HEALTH_WORKER = "health", _("Nhân viên y tế")
    TEACHER = "teacher", _("Giáo viên")
    ENTERPRISE = "enterprise", _("Người lao động doanh nghiệp")


class CoverageFigure(models.Model):
    """Vaccination figures of one unit (commune, district, province), day and age band.

    The denominator is the people of the registry in the band (no population by age band
    is imported yet): docs/vaccination.md, "Coverage"."""

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    band = models.CharField(max_length=12, choices=CoverageBand.choices)
    population = models.PositiveIntegerField(default=0)  # the registry's people in the band
    # The official population of the band (PopulationBand), when one is imported: the
    # shares then use it, and the page says so.
    official_population = models.PositiveIntegerField(null=True, blank=True)
    official_synthetic = models.BooleanField(default=False)
    at_least_one = models.PositiveIntegerField(default=0)
    full = models.PositiveIntegerField(default=0)
    boosted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "band"], name="coverage_unit_day_band")
        ]
        indexes = [
            # The coverage page: every unit of one day.
            models.Index(fields=["day", "band"], name="coverage_day_band_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.day:%d/%m/%Y} · {self.band}"

    @property
    def denominator(self) -> int:
        return self.official_population if self.official_population else self.population

    @property
    def denominator_source(self) -> str:
        if self.official_population:
            return "synthetic" if self.official_synthetic else "official"
        return "registry"

    def share(self, field: str) -> float | None:
        return getattr(self, field) / self.denominator if self.denominator else None


# --- no one missed: outreach outcomes -------------------------------------------------------


class OutreachOutcome(SubmittedOnce):
    """What became of a person on an outreach list (the latest outcome counts)."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Đã liên hệ, hẹn lịch tiêm")
        REFUSED = "refused", _("Từ chối tiêm")
        CONTRAINDICATION = "contraindication", _("Chống chỉ định")
        POSTPONED = "postponed", _("Tạm hoãn")
        MOVED_AWAY = "moved_away", _("Đã chuyển đi nơi khác")
        DECEASED = "deceased", _("Đã mất")

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="outreach_outcomes"
    )
    kind = models.CharField(_("kết quả"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("lý do, ghi chú"), max_length=200, blank=True)
    until = models.DateField(_("hoãn đến ngày"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "-created_at", "-pk"]
        indexes = [
            # The latest outcome of each person on a list.
            models.Index(fields=["person", "-created_at"], name="outreach_person_idx"),
        ]
        verbose_name = _("kết quả vận động tiêm")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.kind}"

    def counts_on(self, day) -> bool:
        """A postponement counts until its day; every other outcome for good."""
        return self.kind != self.Kind.POSTPONED or (self.until is not None and self.until >= day)


class VaccinationCertificate(models.Model):
    """A person's vaccination certificate: issued once per person, so printing it again keeps
    its number. The PDF lists the doses on the day it is printed; the public page checks the
    doses recorded now, so a certificate never vouches for more than the registry holds."""

    # A foreign key, not one-to-one: merging two records moves both people's certificates
    # to the kept one (people.services.person_merge), and both papers stay valid.
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="vaccination_certificates"
    )
    number = models.CharField(_("số giấy chứng nhận"), max_length=24, unique=True)
    code = models.CharField(max_length=32, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(_("lý do thu hồi"), max_length=300, blank=True)

    # At most one certificate in force per person is kept by certificate_issue's key lock,
    # not by a partial unique index: merging two people who each hold one must keep both
    # (each paper stays verifiable) rather than fail.

    def __str__(self) -> str:
        return self.number


class OutreachSummary(models.Model):
    """What the outreach list needs of one person, precomputed by the rules so the list is a
    set-based query (outreach.py). A row holds for the days [valid_from, valid_until) under
    the policy it was computed with: the rules' answer for a fixed set of doses changes only
    on a birthday (or 1 January for a birth year), the start of a policy row or a dose dated
    later. A row missing, out of its days or of another policy is recomputed on the next
    read; a dose or a person saved drops the person's row (summary.py)."""

    # A cache: on a merge the kept person's row stands (and is recomputed on the next read).
    MERGE_DROPS_REPEATS = True

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    age = models.PositiveSmallIntegerField(null=True)
    doses = models.PositiveSmallIntegerField(default=0)
    eligible = models.BooleanField(default=True)  # the rules give a dose now or later
    next_dose_number = models.PositiveSmallIntegerField(null=True)
    next_earliest = models.DateField(null=True)
    next_due = models.DateField(null=True)  # recommended day, else the earliest
    valid_from = models.DateField()
    valid_until = models.DateField()
    policy_key = models.CharField(max_length=16)

    class Meta:
        indexes = [
            models.Index(fields=["valid_until", "policy_key"], name="outreach_summary_valid")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.doses}"


# --- risk groups ---------------------------------------------------------------------------


class RiskFlag(models.Model):
    """A person belongs to a risk group, from a source, from a day (and for a pregnancy
    until a day). One flag per person, group and enterprise: a re-import updates it."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="risk_flags")
    group = models.CharField(_("nhóm nguy cơ"), max_length=12, choices=RiskGroup.choices)
    enterprise = models.CharField(_("tên doanh nghiệp"), max_length=200, blank=True)
    source = models.CharField(_("nguồn"), max_length=200)
    since = models.DateField(_("từ ngày"))
    until = models.DateField(_("đến ngày"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "group", "enterprise"], name="riskflag_person_group"
            )
        ]
        verbose_name = _("nhóm nguy cơ của người")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.group}"


# --- official denominators ------------------------------------------------------------------


class PopulationBand(models.Model):
    """The official population of a unit in an age band (imported per unit; the demo's are
    synthetic and marked so). Coverage divides by it when present."""

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    band = models.CharField(_("nhóm tuổi"), max_length=12, choices=CoverageBand.choices)
    population = models.PositiveIntegerField(_("dân số"))
    source = models.CharField(_("nguồn"), max_length=200, blank=True)
    synthetic = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "band"], name="populationband_unit_band")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.band} · {self.population}"


# --- campaigns ------------------------------------------------------------------------------


class Campaign(models.Model):
    """A vaccination campaign: target groups (age bands and risk groups; none = everyone),
    the units it covers (its targets), a start and a deadline. Progress counts the people of
    the target groups in each unit reached from the start (each once)."""

    name = models.CharField(_("tên chiến dịch"), max_length=200)
    age_bands = models.CharField(_("nhóm tuổi"), max_length=100, blank=True)  # "5-11,50+"
    risk_groups = models.CharField(_("nhóm nguy cơ"), max_length=100, blank=True)
    dose_number = models.PositiveSmallIntegerField(
        _("mũi số (trống: mọi mũi)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    start = models.DateField(_("bắt đầu"))
    deadline = models.DateField(_("hạn hoàn thành"))
    province = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name = _("chiến dịch tiêm chủng")

    def __str__(self) -> str:
        return self.name

    @property
    def band_list(self) -> list[str]:
        return [b for b in self.age_bands.split(",") if b]

    @property
    def group_list(self) -> list[str]:
        return [g for g in self.risk_groups.split(",") if g]


class CampaignTarget(models.Model):
    """A unit a campaign covers, its target number and who answers for it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    target = models.PositiveIntegerField(
        _("chỉ tiêu (người)"), validators=[MaxValueValidator(10**8)]
    )
    official_name = models.CharField(_("người chịu trách nhiệm"), max_length=120)
    official_title = models.CharField(_("chức vụ"), max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaigntarget_unit")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.unit_id}"


class CampaignProgress(models.Model):
    """People reached in a target unit by the end of a day (cumulative), precomputed by the
    job vaccination.refresh_campaigns."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="progress")
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    done = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "day"], name="campaignprogress_unit_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.unit_id} · {self.day:%d/%m/%Y}"


class CampaignTaskLink(models.Model):
    """A confirmed directive task tracked by a campaign's figures (kept here so the
    directives app needs no migration); its page shows the campaign's progress."""

    task = models.OneToOneField(
        "directives.Task", on_delete=models.CASCADE, related_name="vaccination_campaign_link"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="task_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.task_id} → {self.campaign_id}"


# --- adverse events after immunisation (AEFI) -------------------------------------------------


class Aefi(SubmittedOnce):
    """An adverse event after immunisation, with the WHO core fields (onset, what happened,
    treatment, outcome, reporter) and the four criteria that make it serious. It is routed
    to the district health centre of the person's commune, whose staff investigate it."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("Mới báo cáo")
        INVESTIGATING = "investigating", _("Đang điều tra")
        CONCLUDED = "concluded", _("Đã kết luận")

    class Outcome(models.TextChoices):
        # WHO AEFI reporting form: outcome of the event at the time of the report.
        RECOVERING = "recovering", _("Đang hồi phục")
        RECOVERED = "recovered", _("Đã khỏi")
        SEQUELAE = "sequelae", _("Khỏi nhưng để lại di chứng")
        NOT_RECOVERED = "not_recovered", _("Chưa khỏi")
        DIED = "died", _("Tử vong")
        UNKNOWN = "unknown", _("Chưa rõ")

    class Causality(models.TextChoices):
        # WHO causality assessment of an AEFI (2nd edition, 2018): categories A–D.
        CONSISTENT = "consistent", _("Có liên quan đến vắc xin hoặc tiêm chủng (A)")
        INDETERMINATE = "indeterminate", _("Chưa xác định được (B)")
        COINCIDENTAL = "coincidental", _("Không liên quan, trùng hợp ngẫu nhiên (C)")
        UNCLASSIFIABLE = "unclassifiable", _("Không đủ thông tin để phân loại (D)")

    class Reporter(models.TextChoices):
        STAFF = "staff", _("Cán bộ y tế")
        VACCINEE = "vaccinee", _("Người được tiêm hoặc người nhà")

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="aefi_reports"
    )
    # No database key into the partitioned doses (migration 0015); Django still nulls it.
    dose = models.ForeignKey(
        Dose,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aefi_reports",
        db_constraint=False,
    )
    # Where the person lived when it was reported, and the district health centre it was
    # routed to (that commune's district): kept, so the report does not move if they move.
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường")
    )
    district = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("huyện")
    )
    onset_at = models.DateTimeField(_("thời điểm xuất hiện triệu chứng"))
    description = models.TextField(_("triệu chứng, diễn biến"), max_length=2000)
    treatment = models.CharField(_("xử trí, điều trị"), max_length=500, blank=True)
    outcome = models.CharField(
        _("tình trạng hiện tại"), max_length=16, choices=Outcome.choices, default=Outcome.UNKNOWN
    )
    died = models.BooleanField(_("tử vong"), default=False)
    life_threatening = models.BooleanField(_("đe dọa tính mạng"), default=False)
    hospitalised = models.BooleanField(_("phải nhập viện hoặc kéo dài nằm viện"), default=False)
    disability = models.BooleanField(_("tàn tật hoặc di chứng kéo dài"), default=False)
    serious = models.BooleanField(_("nghiêm trọng"), default=False)
    reporter_kind = models.CharField(max_length=10, choices=Reporter.choices)
    reporter_name = models.CharField(_("người báo cáo"), max_length=120)
    reporter_phone = models.CharField(_("số điện thoại người báo cáo"), max_length=12, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.REPORTED)
    causality = models.CharField(
        _("phân loại nguyên nhân"), max_length=16, choices=Causality.choices, blank=True
    )
    conclusion = models.TextField(_("kết luận điều tra"), max_length=2000, blank=True)
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["district", "status", "created_at"], name="aefi_queue_idx")]
        verbose_name = _("phản ứng sau tiêm")

    def __str__(self) -> str:
        return f"AEFI #{self.pk}"


class AefiStatusChange(models.Model):
    """One step of an investigation's history: every status change, and a reopening with
    its reason and the conclusion it set aside (the report itself keeps only the current
    conclusion), so nothing a district concluded is ever lost."""

    aefi = models.ForeignKey(Aefi, on_delete=models.CASCADE, related_name="history")
    before = models.CharField(max_length=14, choices=Aefi.Status.choices)
    after = models.CharField(max_length=14, choices=Aefi.Status.choices)
    reason = models.CharField(_("lý do mở lại"), max_length=500, blank=True)
    # The conclusion in force before this step (a reopening clears it on the report).
    causality = models.CharField(max_length=16, choices=Aefi.Causality.choices, blank=True)
    conclusion = models.TextField(max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["aefi", "at", "pk"]

    def __str__(self) -> str:
        return f"AEFI #{self.aefi_id}: {self.before} → {self.after}"


class AefiLink(PersonalLinkMixin):
    """The vaccinee's personal link to the AEFI report form (no account): only its hash is
    stored (lib.tokens)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    # No database key into the partitioned doses (migration 0015); Django still nulls it.
    dose = models.ForeignKey(
        Dose,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"AEFI link #{self.pk}"


class AefiLinkSend(LinkSend):
    """One sending of a vaccinee's AEFI link by SMS or Zalo (the raw link is not kept; the
    submission key makes a double tap one send), sent as cases.CaseLinkSend for the F0 link."""

    link = models.ForeignKey(AefiLink, on_delete=models.CASCADE, related_name="sends")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} AEFI link #{self.link_id}"


# --- dose reminders ---------------------------------------------------------------------------


class DoseReminder(models.Model):
    """One reminder per person and dose number: the row is claimed before the message goes
    out, and the unique constraint makes a second run or a concurrent worker skip it."""

    # Merging two records of one person keeps one reminder per dose (people.person_merge).
    MERGE_DROPS_REPEATS = True

    class Status(models.TextChoices):
        SENT = "sent", _("đã gửi")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    dose_number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    to = models.CharField(max_length=12)
    # The channel it went by (the person's choice, else the province's default): SMS or Zalo.
    channel = models.CharField(max_length=8, default="sms")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENT)
    external_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "dose_number"], name="dose_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.dose_number}"


class PersonStatus(models.Model):
    """One row per live person with a commune (not merged): what coverage counts, kept by
    `person_status.refresh_people` on every dose and person write, so a day's coverage
    reads 3.6 million narrow rows instead of reducing 8 million doses (docs: coverage).

    Dates, not flags, so any day can be counted: at least one dose on D when
    `first_on <= D`; fully vaccinated when `complete_on <= D - 14 days`; boosted when also
    `boosted_on <= D`. Risk flags stay in `RiskFlag` (they hold between two dates)."""

    # A cache: on a merge the duplicate's row goes, and the kept person's save recomputes.
    MERGE_DROPS_REPEATS = True

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # No index of its own: coverage scans the whole table, and each one slows every write.
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    birth_year = models.PositiveSmallIntegerField(null=True)
    birth_date = models.DateField(null=True)
    sex = models.CharField(max_length=1, blank=True)
    first_on = models.DateField(null=True)  # first dose of any kind
    complete_on = models.DateField(null=True)  # primary series complete (fully: + 14 days)
    boosted_on = models.DateField(null=True)  # first booster

    def __str__(self) -> str:
        return f"{self.person_id}: {self.first_on} / {self.complete_on} / {self.boosted_on}"


class ReminderChannel(models.Model):
    """How one person wants their dose reminders: by SMS or Zalo, to their own phone. A
    person without a row gets the province's default (VACCINATION_REMINDER_CHANNEL). Kept
    here, not on Person, so the people registry needs no migration for one app's messages."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        ZALO = "zalo", _("Zalo")

    # Merging two records of one person keeps the surviving person's choice.
    MERGE_DROPS_REPEATS = True

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="reminder_channel"
    )
    channel = models.CharField(_("nhận nhắc lịch tiêm qua"), max_length=8, choices=Channel.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person_id} · {self.channel}"
