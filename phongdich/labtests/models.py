"""Samples and their results, pools of samples, re-sampling orders after a positive pool,
and screening campaigns with their precomputed progress per commune."""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phongdich.geo.province import CodedQuerySet, name_codes, province_field

from . import rules


class Kind(models.TextChoices):
    PCR = rules.PCR, _("RT-PCR")
    RAT = rules.RAT, _("Test nhanh kháng nguyên")


class Result(models.TextChoices):
    POSITIVE = rules.POSITIVE, _("Dương tính")
    NEGATIVE = rules.NEGATIVE, _("Âm tính")
    INVALID = rules.INVALID, _("Không xác định được")


class PoolSizeRule(models.Model):
    """Policy row (RULES.md "Testing"): the most samples one pool of a kind may hold, from
    a date on. Edited on /policy/labtests-pool-size/; the row in force on a pool's day is the
    active one of its kind with the latest `valid_from` on or before it."""

    kind = models.CharField(_("loại xét nghiệm"), max_length=4, choices=Kind.choices)
    max_size = models.PositiveSmallIntegerField(
        _("số mẫu tối đa mỗi mẫu gộp"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    valid_from = models.DateField(_("áp dụng từ ngày"), default=date(2020, 1, 1))
    regulation = models.CharField(_("văn bản quy định"), max_length=200, blank=True)
    # RULES.md: "up to 10 is common practice (unconfirmed)".
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["kind", "-valid_from"]
        verbose_name = _("cỡ mẫu gộp")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "valid_from"],
                condition=Q(active=True),
                name="labtests_pool_size_dated",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.max_size}"


class Campaign(models.Model):
    """A screening campaign (xét nghiệm tầm soát) over some communes, in rounds."""

    name = models.CharField(_("tên đợt"), max_length=200)
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    units = models.ManyToManyField(
        "geo.AdminUnit", related_name="+", verbose_name=_("các xã/phường")
    )
    kind = models.CharField(_("loại xét nghiệm"), max_length=4, choices=Kind.choices)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    rounds = models.PositiveSmallIntegerField(
        _("số vòng"), default=1, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    target_population = models.PositiveIntegerField(
        _("số người cần xét nghiệm"), validators=[MaxValueValidator(100_000_000)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    progress_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="labtests_campaign_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CampaignProgress(models.Model):
    """Figures of one commune in a campaign, rebuilt by `labtests.refresh_screening` so the
    pages never count the samples table."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="progress")
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    target = models.PositiveIntegerField(default=0)
    sampled = models.PositiveIntegerField(default=0)
    resulted = models.PositiveIntegerField(default=0)
    positives = models.PositiveIntegerField(default=0)
    pools_positive = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="labtests_progress_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.unit_id}"

    @property
    def positivity(self):
        return rules.positivity(self.positives, self.resulted)

    @property
    def coverage(self):
        return None if not self.target else self.sampled / self.target


class ScreeningRound(models.Model):
    """One round of a campaign (e.g. every 2-3 days in a high-risk zone): its dates, the
    communes it covers and its targets. Closing it freezes its figures per commune
    (`RoundFigures`), once; the zones' lifting rule reads a closed round's result."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang lấy mẫu")
        CLOSED = "closed", _("Đã kết thúc")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="round_set")
    number = models.PositiveSmallIntegerField(_("vòng thứ"))
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    units = models.ManyToManyField(
        "geo.AdminUnit", related_name="+", verbose_name=_("các xã/phường")
    )
    target_people = models.PositiveIntegerField(
        _("số người cần lấy mẫu"), default=0, validators=[MaxValueValidator(100_000_000)]
    )
    target_households = models.PositiveIntegerField(
        _("số hộ cần đến"), default=0, validators=[MaxValueValidator(50_000_000)]
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="labtests_round_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="labtests_round_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.number}"


class RoundFigures(models.Model):
    """A round's figures in one commune, written when the round is closed (an open round's
    figures are counted on its page)."""

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="figures")
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    sampled = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)
    resulted = models.PositiveIntegerField(default=0)
    positives = models.PositiveIntegerField(default=0)
    pools_positive = models.PositiveIntegerField(default=0)
    symptomatic = models.PositiveIntegerField(default=0)
    symptomatic_positives = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="labtests_round_figures_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.round_id} · {self.unit_id}"


class SamplingPoint(models.Model):
    """Where a round's team takes samples (seed 003: separate sampling points), and when."""

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="points")
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường")
    )
    name = models.CharField(_("tên điểm lấy mẫu"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    team = models.CharField(_("tổ lấy mẫu"), max_length=120, blank=True)
    # The team as a record (issue 14); `team` stays as its name when taken, and is the only
    # trace for rows from before teams were records that migration 0008 could not link.
    sampling_team = models.ForeignKey(
        "labtests.SamplingTeam",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tổ lấy mẫu"),
    )
    opens_at = models.TimeField(_("giờ mở"), null=True, blank=True)
    closes_at = models.TimeField(_("giờ đóng"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class Pool(models.Model):
    """Several people's swabs tested in one tube (xét nghiệm gộp)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang gộp mẫu")
        NEGATIVE = "negative", _("Âm tính")
        POSITIVE_AWAITING = "positive_awaiting", _("Dương tính, chờ kết quả từng người")
        INVALID = "invalid", _("Không xác định được, lấy lại mẫu")
        RESOLVED = "resolved", _("Đã có kết quả từng người")

    code = models.CharField(_("mã mẫu gộp"), max_length=40, unique=True)
    kind = models.CharField(_("loại xét nghiệm"), max_length=4, choices=Kind.choices)
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường")
    )
    team = models.CharField(_("tổ lấy mẫu"), max_length=120, blank=True)
    # The team as a record (issue 14); `team` stays as its name when taken, and is the only
    # trace for rows from before teams were records that migration 0008 could not link.
    sampling_team = models.ForeignKey(
        "labtests.SamplingTeam",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tổ lấy mẫu"),
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="pools"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    result = models.CharField(max_length=8, choices=Result.choices, blank=True)
    ct_value = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    lab = models.CharField(max_length=60, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.code


class Sample(models.Model):
    """One person's sample, from the swab to its result (recorded once).

    On PostgreSQL the table is partitioned by `province` (migration 0012): an INSERT is
    routed to its partition before the fill trigger runs, so every insert path names the
    code itself (`save()`, `bulk_create`: from the commune they hold); the trigger stays as
    the check that it is right. The tube's code and the lab's id stay unique across
    provinces through `labtests_sample_key` (migration 0012).
    """

    class Reason(models.TextChoices):
        SYMPTOMS = "symptoms", _("Có triệu chứng")
        F1 = "f1", _("F1")
        SCREENING = "screening", _("Xét nghiệm tầm soát")
        RETURNEE = "returnee", _("Người về từ vùng dịch")
        RESAMPLE = "resample", _("Lấy lại mẫu sau mẫu gộp")
        OTHER = "other", _("Khác")
        # A result the F0 app received (a lab system, a file, the station at release) or
        # one moved from its old results table: no sampling team took it here.
        REPORTED = "reported", _("Kết quả gửi về ứng dụng F0")

    class Status(models.TextChoices):
        TAKEN = "taken", _("Đã lấy mẫu")
        RECEIVED = "received", _("Phòng xét nghiệm đã nhận")
        RESULTED = "resulted", _("Đã có kết quả")
        REJECTED = "rejected", _("Mẫu bị từ chối")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # Unique: per province in the table's own key (PostgreSQL requires the partition key in
    # it), across provinces through labtests_sample_key (migration 0012).
    barcode = models.CharField(_("mã mẫu"), max_length=40)
    kind = models.CharField(_("loại xét nghiệm"), max_length=4, choices=Kind.choices)
    reason = models.CharField(_("lý do"), max_length=12, choices=Reason.choices)
    # Where the sample was taken (not necessarily where the person lives). No index of its
    # own: labtests_sample_commune (commune, -taken_at) serves every lookup by commune.
    commune = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã/phường"),
        db_index=False,
    )
    place = models.CharField(_("điểm lấy mẫu"), max_length=200, blank=True)
    team = models.CharField(_("tổ lấy mẫu"), max_length=120, blank=True)
    # The team as a record (issue 14); `team` stays as its name when taken, and is the only
    # trace for rows from before teams were records that migration 0008 could not link.
    sampling_team = models.ForeignKey(
        "labtests.SamplingTeam",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tổ lấy mẫu"),
    )
    taken_at = models.DateTimeField(_("thời điểm lấy mẫu"))
    # Province (GSO code) of the commune where the sample was taken: the partition key on
    # PostgreSQL. Named by every insert (`name_codes`), checked by a trigger
    # (geo.province), named by the province pages' queries.
    province = province_field()
    PROVINCE_FROM = "commune"
    # Never a filter (only a deleted account's SET NULL, a rare scan): no index, one less
    # entry for every sample inserted.
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    pool = models.ForeignKey(
        Pool, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    # Campaign and round: indexed by labtests_sample_campaign / _round (their first column).
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="samples",
        db_index=False,
    )
    round = models.ForeignKey(
        ScreeningRound,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="samples",
        db_index=False,
    )
    point = models.ForeignKey(
        SamplingPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="samples"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TAKEN)
    received_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.CharField(max_length=200, blank=True)
    result = models.CharField(max_length=8, choices=Result.choices, blank=True)
    # Taken from someone with symptoms (at a screening point too): the round counts the
    # cases "found among those with symptoms" from this and the reason.
    symptomatic = models.BooleanField(_("có triệu chứng"), default=False)
    # A member of a negative pool is negative by presumption, without a test of its own.
    presumptive = models.BooleanField(default=False)
    ct_value = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    lab = models.CharField(_("phòng xét nghiệm"), max_length=60, blank=True)
    resulted_at = models.DateTimeField(null=True, blank=True)
    # No index on any column a result writes (result, status, Ct, lab, resulted_at,
    # resulted_by, presumptive) and a fill factor of 50 (migration 0011): a result is then
    # a HOT update, a new row version on the same page without an entry in the 13 indexes
    # (bench/labtests_import.py).
    resulted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The F0 app's view of the result: the case it counts for (11042 classification, the
    # negatives that end isolation under 250/QĐ-BYT). Set by the cases app, never here.
    # No database key: cases_case is partitioned (cases 0012); Django applies SET_NULL.
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="samples",
        db_constraint=False,
    )
    # 11042 accepts a rapid test only when health staff watched it (in person or remotely).
    supervised = models.BooleanField(default=True)
    # The laboratory's own id of a result sent through the F0 app's lab API or import
    # (unique per lab, 60 characters there); the tube's code stays `barcode`.
    lab_sample_id = models.CharField(_("mã mẫu của phòng xét nghiệm"), max_length=60, blank=True)
    # The lab of a row with a lab's id, else NULL: the unique key of the lab's ids names
    # this instead of `lab`, so writing the lab of a screening sample's result (no lab id)
    # changes no indexed value and stays a HOT update.
    lab_key = models.GeneratedField(
        expression=models.Case(
            models.When(~Q(lab_sample_id=""), then=models.F("lab")), default=None
        ),
        output_field=models.CharField(max_length=60, null=True),
        db_persist=True,
    )
    # The cases.LabResult row this sample was moved from (labtests 0005). A plain integer,
    # not a foreign key, so the old table can be dropped without touching these rows.
    # Written only by that migration, which ran before the table was partitioned: unique
    # with the province (the partition key), once per old row in the migration's own check.
    legacy_result_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CodedQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-pk"]
        # Every unique key names `province`: PostgreSQL requires the partition key in each
        # (migration 0012). The code and the lab's id stay unique across provinces through
        # labtests_sample_key, filled by triggers in the same statement.
        constraints = [
            models.UniqueConstraint(
                fields=["barcode", "province"], name="labtests_sample_barcode_uniq"
            ),
            # What made the F0 app's lab posts idempotent, kept on the one table of results.
            # The lab's id first: the F0 app looks a result up by (lab, lab_sample_id).
            models.UniqueConstraint(
                fields=["lab_sample_id", "lab_key", "province"],
                condition=~Q(lab_sample_id=""),
                name="labtests_sample_lab_id_uniq",
            ),
            models.UniqueConstraint(
                fields=["legacy_result_id", "province"], name="labtests_sample_legacy_uniq"
            ),
        ]
        indexes = [
            # The register of a commune, newest first.
            models.Index(fields=["commune", "-taken_at"], name="labtests_sample_commune"),
            # The register of a province, newest first.
            models.Index(fields=["province", "-taken_at"], name="labtests_sample_province"),
            # The screening job's counts per campaign.
            models.Index(fields=["campaign", "commune"], name="labtests_sample_campaign"),
            # A round's figures per commune.
            models.Index(fields=["round", "commune"], name="labtests_sample_round"),
        ]

    def __str__(self) -> str:
        return self.barcode

    def save(self, *args, **kwargs):
        if self._state.adding:
            name_codes([self], "commune")
        super().save(*args, **kwargs)


class ResampleOrder(models.Model):
    """After a positive pool: take an individual sample of this member, routed to the commune
    where they live. One order per pooled sample (the unique sample makes it once)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ lấy mẫu")
        DONE = "done", _("Đã lấy mẫu")

    # No database constraint on either sample: a foreign key into the partitioned sample
    # table would have to name its whole key (id, province) (migration 0012). Django still
    # cascades and nulls on delete.
    pooled_sample = models.OneToOneField(
        Sample, on_delete=models.CASCADE, related_name="order", db_constraint=False
    )
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="orders")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    new_sample = models.OneToOneField(
        Sample,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ordered_by",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # A commune's open orders (the sampling team's list).
            models.Index(fields=["commune", "status"], name="labtests_order_open"),
        ]

    def __str__(self) -> str:
        return f"{self.pool_id} · {self.person_id}"


class ResultFollowUp(models.Model):
    """A result the file import wrote set-based whose consequences are the services' (the
    F0 app's classification of a positive, a negative joining an open case, the pool a
    re-sample resolves), applied after the import's commit by the worker in id order
    (`services.result_followups_drain`). Written in the import's own transaction, so a
    result is never on record without its row: a worker that dies leaves the row pending
    and the next run (the periodic job) applies it."""

    # No database constraint (the partitioned sample table, as ResampleOrder's).
    sample = models.OneToOneField(
        Sample, on_delete=models.CASCADE, related_name="follow_up", db_constraint=False
    )
    # The person's results are applied in order: a result written one at a time while one
    # of theirs waits here is queued behind it (services._to_cases_or_queue).
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The import that wrote it (its progress on the import page); empty for a result
    # queued behind another.
    batch = models.CharField(max_length=32, blank=True, default="")
    line = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        indexes = [
            # The drain's next row and "does this person have one waiting?".
            models.Index(
                fields=["person"], condition=Q(done_at__isnull=True), name="labtests_followup_wait"
            ),
            # An import's progress (its page counts done and waiting).
            models.Index(fields=["batch", "done_at"], name="labtests_followup_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id} · {self.batch}"


class TestOrder(models.Model):
    """A free rapid test for someone with symptoms (seed 001), asked for by the commune
    station's follow-ups (a pharmacy buyer, a citizen's report), routed to the commune where
    the person lives. One open order per person and kind: asking twice gives the same one."""

    class Source(models.TextChoices):
        PHARMACY = "pharmacy", _("Người mua thuốc có triệu chứng")
        REPORT = "report", _("Người về không khai báo")

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ lấy mẫu")
        DONE = "done", _("Đã lấy mẫu")

    __test__ = False  # not a pytest class, whatever its name

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.RAT)
    source = models.CharField(max_length=10, choices=Source.choices)
    # The checkpoints follow-up that asked (an id, not a key: checkpoints is optional).
    source_id = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    # No database constraint: see ResampleOrder.pooled_sample.
    new_sample = models.OneToOneField(
        Sample,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="test_order",
        db_constraint=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(status="open"),
                name="labtests_test_order_open_once",
            )
        ]
        indexes = [models.Index(fields=["commune", "status"], name="labtests_test_order_open")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.person_id}"


# Teams, their members and shifts live in their own module; imported here so they are
# models of this app.
from .team_models import SamplingTeam, TeamMember, TeamShift  # noqa: E402, F401
