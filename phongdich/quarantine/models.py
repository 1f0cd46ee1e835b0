"""One quarantine record for everyone who must be quarantined: a traced F1, a returnee
handed over at a checkpoint, a person placed in a centralised site, anyone else."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phongdich.geo.province import CodedQuerySet, name_codes, province_field
from phongdich.lib.idempotency import SubmittedOnce
from phongdich.lib.tokens import PersonalLinkMixin

UNIT = "geo.AdminUnit"
USER = settings.AUTH_USER_MODEL


class Basis(models.TextChoices):
    F1 = "f1", _("F1 (tiếp xúc gần với F0)")
    RETURNEE = "returnee", _("Người về từ vùng dịch")
    OTHER = "other", _("Khác")


class Place(models.TextChoices):
    HOME = "home", _("Tại nhà")
    SITE = "site", _("Khu cách ly tập trung")
    HOTEL = "hotel", _("Khách sạn (tự chi trả)")


class Status(models.TextChoices):
    ACTIVE = "active", _("Đang cách ly")
    COMPLETED = "completed", _("Đã hoàn thành")
    CONVERTED = "converted", _("Chuyển thành F0")
    RELEASED_EARLY = "released_early", _("Kết thúc sớm")
    MOVED = "moved", _("Chuyển nơi khác")


class Quarantine(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("lý do cách ly"), max_length=10, choices=Basis.choices)
    # The exposure (F1) or arrival (returnee) day: the policy row in force on it applies.
    exposure_date = models.DateField(_("ngày tiếp xúc/ngày đến"))
    place = models.CharField(_("nơi cách ly"), max_length=8, choices=Place.choices)
    facility = models.ForeignKey(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("khu cách ly"),
    )
    # The open stay at the site (facilities' bed ledger); discharge frees it. One
    # quarantine per stay, unique with the province (the partition key) in Meta: a
    # one-to-one field's own unique key could not name it.
    stay = models.ForeignKey(
        "facilities.Stay", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    # Province (GSO code) of the quarantine's commune: the partition key on PostgreSQL.
    # Named by every insert (`name_codes`), checked by a trigger (geo.province), named by
    # the province pages' queries.
    province = province_field()
    PROVINCE_FROM = "commune"
    address = models.CharField(_("địa chỉ cách ly"), max_length=200, blank=True)
    policy_key = models.CharField(max_length=40, blank=True)
    policy_source = models.CharField(max_length=200, blank=True)
    group_label = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(_("ngày bắt đầu"))
    planned_end = models.DateField(_("ngày kết thúc dự kiến"))
    monitoring_end = models.DateField(_("hết tự theo dõi"))
    test_dates = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Where it came from. Plain ids: cases, tracing and checkpoints are optional apps.
    source_case_id = models.BigIntegerField(null=True, blank=True)
    source_contact_id = models.BigIntegerField(null=True, blank=True)
    # One quarantine per hand-over: unique with the province (the partition key), and the
    # hand-over's row lock and lookup in quarantine_from_handover (docs/operations.md).
    handover_id = models.BigIntegerField(null=True, blank=True)
    converted_case_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    # Set by a daily check with fever or breathlessness, or by the hourly scan (missed check
    # or test): the commune list shows these first.
    attention_at = models.DateTimeField(null=True, blank=True)
    attention_reason = models.CharField(max_length=200, blank=True)
    last_check_at = models.DateTimeField(null=True, blank=True)
    # Home quarantine's papers (moved here from checkpoints.HomeQuarantine): the signed
    # commitment and the door sign posted at the house.
    commitment_signed_at = models.DateTimeField(null=True, blank=True)
    door_sign_posted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CodedQuerySet.as_manager()

    class Meta:
        ordering = ["planned_end", "pk"]
        # Every unique key names `province`: PostgreSQL requires the partition key in each
        # (migration 0006). Across provinces the person's lock and lookup (quarantine_open)
        # and the hand-over's (quarantine_from_handover) keep them one.
        constraints = [
            # At most one active quarantine per person: the backstop behind key_lock.
            models.UniqueConstraint(
                fields=["person", "province"],
                condition=models.Q(status="active"),
                name="quarantine_one_active_per_person",
            ),
            models.UniqueConstraint(
                fields=["handover_id", "province"], name="quarantine_one_per_handover"
            ),
            models.UniqueConstraint(fields=["stay", "province"], name="quarantine_one_per_stay"),
        ]
        indexes = [
            # serves the commune list: active quarantines of one commune by end date
            models.Index(fields=["commune", "status", "planned_end"], name="qr_commune_list_idx"),
            # serves a province's list: active quarantines by end date
            models.Index(fields=["province", "status", "planned_end"], name="qr_province_list_idx"),
            # serves the hourly follow-up scan over all active quarantines
            models.Index(
                fields=["status", "last_check_at"],
                condition=models.Q(status="active"),
                name="qr_active_scan_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"cách ly {self.person_id} đến {self.planned_end:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        # A partitioned table routes the INSERT before the fill trigger runs: name the code.
        if self._state.adding:
            name_codes([self], "commune")
        super().save(*args, **kwargs)

    @property
    def test_days(self) -> list[date]:
        days = []
        for value in self.test_dates or ():
            try:
                days.append(date.fromisoformat(value))
            except (TypeError, ValueError):
                continue
        return days

    @property
    def end_date(self) -> date:
        # The printed papers (commitment, door sign) name the last day of quarantine so.
        return self.planned_end

    @property
    def test_dates_shown(self) -> str:
        return ", ".join(d.strftime("%d/%m/%Y") for d in self.test_days)


class QuarantineLink(PersonalLinkMixin):
    """The citizen's personal link for daily checks (the pattern F0 and home quarantine use)."""

    # No database constraint (nor on the checks' and the items'): a foreign key into the
    # partitioned quarantine table would have to name its whole key (id, province)
    # (migration 0006). Django still cascades the delete.
    quarantine = models.ForeignKey(
        Quarantine, on_delete=models.CASCADE, related_name="links", db_constraint=False
    )


class DailyCheck(SubmittedOnce):
    quarantine = models.ForeignKey(
        Quarantine, on_delete=models.CASCADE, related_name="checks", db_constraint=False
    )
    at = models.DateTimeField(auto_now_add=True)
    temperature = models.DecimalField(
        _("nhiệt độ"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.JSONField(default=list, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"theo dõi {self.quarantine_id} lúc {self.at:%d/%m %H:%M}"


class FollowUpItem(models.Model):
    """A missed check or test day, raised by the hourly scan for the commune's list."""

    class Kind(models.TextChoices):
        MISSED_CHECK = "missed_check", _("Chưa có báo cáo sức khỏe hằng ngày")
        TEST_DUE = "test_due", _("Đến ngày xét nghiệm")

    quarantine = models.ForeignKey(
        Quarantine, on_delete=models.CASCADE, related_name="items", db_constraint=False
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    day = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    # A test day is a lab order for the commune or site: the labtests Sample taken for it
    # (a plain id: labtests is an optional app).
    sample_id = models.BigIntegerField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "pk"]
        constraints = [
            # The scan runs hourly: one item per quarantine, kind and day, however often.
            models.UniqueConstraint(
                fields=["quarantine", "kind", "day"], name="qr_item_one_per_day"
            ),
        ]
        indexes = [
            # serves the area's open test orders (the sampling team's list)
            models.Index(
                fields=["kind", "day"],
                condition=models.Q(done_at__isnull=True),
                name="qr_item_open_orders_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quarantine_id} {self.day:%d/%m/%Y}"
