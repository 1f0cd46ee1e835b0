"""Zones: an area under a measure (lockdown, Directive 15/16/19 distancing) or a risk class,
its append-only history of changes, the proposals that change it, and the food supply of
the households inside it (issue 14, "Zones")."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from phongdich.lib.link_sends import LinkSend
from phongdich.lib.tokens import PersonalLinkMixin


class Zone(models.Model):
    class Kind(models.TextChoices):
        BUILDING = "building", _("Tòa nhà, khu nhà")
        STREET = "street", _("Thôn, tổ dân phố, tuyến phố")
        COMMUNE_PART = "part", _("Một phần xã, phường")
        COMMUNE = "commune", _("Toàn xã, phường")

    class Measure(models.TextChoices):
        LOCKDOWN = "lockdown", _("Phong tỏa")
        CT15 = "ct15", _("Giãn cách theo Chỉ thị 15")
        CT16 = "ct16", _("Giãn cách theo Chỉ thị 16")
        CT19 = "ct19", _("Giãn cách theo Chỉ thị 19")
        CLASS_ONLY = "class", _("Chỉ phân loại nguy cơ")

    class RiskClass(models.TextChoices):
        GREEN = "green", _("Vùng xanh")
        RISK = "risk", _("Vùng nguy cơ")
        HIGH = "high", _("Vùng nguy cơ cao")
        VERY_HIGH = "very_high", _("Vùng nguy cơ rất cao")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đề xuất")
        IN_FORCE = "in_force", _("Đang áp dụng")
        LIFTED = "lifted", _("Đã gỡ bỏ")
        REJECTED = "rejected", _("Không chấp thuận")

    name = models.CharField(_("tên vùng"), max_length=200)
    kind = models.CharField(_("phạm vi"), max_length=10, choices=Kind.choices)
    measure = models.CharField(
        _("biện pháp"), max_length=10, choices=Measure.choices, default=Measure.LOCKDOWN
    )
    risk_class = models.CharField(
        _("phân loại nguy cơ"), max_length=10, choices=RiskClass.choices, blank=True
    )
    # The commune the zone lies in: jurisdiction is checked on it. A zone over several
    # communes names the others in `other_communes` (shown, not used for scoping).
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="zones", verbose_name=_("xã")
    )
    other_communes = models.ManyToManyField(
        "geo.AdminUnit", blank=True, related_name="+", verbose_name=_("các xã khác")
    )
    address = models.CharField(_("địa chỉ, mô tả"), max_length=255, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    started_on = models.DateField(_("ngày bắt đầu"), null=True, blank=True)
    ended_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    people_count = models.PositiveIntegerField(_("số người"), default=0)
    households_count = models.PositiveIntegerField(_("số hộ"), default=0)
    # The two facts the lifting rule reads are read from data (services.lift_inputs: cases
    # of the zone's communes, closed screening rounds); these typed dates replace them only
    # with the reason for the override (rules.lift_inputs).
    last_case_on = models.DateField(_("ngày có ca mắc mới gần nhất"), null=True, blank=True)
    last_negative_round_on = models.DateField(
        _("ngày vòng xét nghiệm âm tính gần nhất"), null=True, blank=True
    )
    inputs_override_reason = models.CharField(
        _("lý do nhập tay thay số liệu"), max_length=500, blank=True
    )
    # A point for the map of active zones (typed from a phone's GPS or a map; optional).
    latitude = models.DecimalField(
        _("vĩ độ"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("kinh độ"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    # Set daily by zones.scan_lifting so the list can show the zones ready to lift.
    may_lift_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["status", "-started_on", "name"]
        indexes = [
            # The lookup of active zones of one commune (checkpoints, hotline, map).
            models.Index(fields=["commune", "status"], name="zone_commune_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.IN_FORCE


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("zone history is append-only")

    def delete(self):
        raise TypeError("zone history is append-only")

    def bulk_update(self, *args, **kwargs):
        raise TypeError("zone history is append-only")


class ZoneChange(models.Model):
    """One change of a zone: who, when, why, and the values before and after. Rows are
    never changed or deleted; the zone's page shows them as its history."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Lập vùng")
        DECIDED = "decided", _("Quyết định")
        REJECTED = "rejected", _("Không chấp thuận")
        EDITED = "edited", _("Sửa thông tin")
        FACTS = "facts", _("Cập nhật ca mắc / xét nghiệm")

    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    decision_number = models.CharField(max_length=60, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.zone_id}: {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("zone history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("zone history is append-only")


class ZoneProposal(models.Model):
    """A proposed change of a zone (impose, lift, reclassify) waiting for a decision from
    above the commune. Decided once: the guarded UPDATE on `status` lets one approver win."""

    class Action(models.TextChoices):
        IMPOSE = "impose", _("Áp dụng biện pháp")
        LIFT = "lift", _("Gỡ bỏ")
        CLASSIFY = "classify", _("Đổi phân loại / biện pháp")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ quyết định")
        APPROVED = "approved", _("Đã chấp thuận")
        REJECTED = "rejected", _("Không chấp thuận")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="proposals")
    action = models.CharField(_("đề xuất"), max_length=10, choices=Action.choices)
    measure = models.CharField(
        _("biện pháp"), max_length=10, choices=Zone.Measure.choices, blank=True
    )
    risk_class = models.CharField(
        _("phân loại nguy cơ"), max_length=10, choices=Zone.RiskClass.choices, blank=True
    )
    reason = models.CharField(_("lý do đề xuất"), max_length=500)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_note = models.CharField(_("ghi chú quyết định"), max_length=500, blank=True)
    # What the data showed when the classification scan proposed it (classification.py):
    # the day, the figures, each threshold crossed with its rule row and source. Empty for
    # a proposal an officer typed.
    basis = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            # One open proposal per zone: a second one would race the first's decision.
            models.UniqueConstraint(
                fields=["zone"],
                condition=models.Q(status="pending"),
                name="zone_one_pending_proposal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone_id}: {self.action}"


class Household(models.Model):
    """A household inside a zone that the food plan serves."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="households")
    address = models.CharField(_("địa chỉ hộ"), max_length=255)
    head_name = models.CharField(_("chủ hộ"), max_length=100, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=16, blank=True)
    people = models.PositiveIntegerField(_("số người"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address


class FoodRequest(models.Model):
    """A household's request for food or necessities, counted in portions (suất)."""

    class Source(models.TextChoices):
        COMMUNE = "commune", _("Tổ công tác xã")
        HOTLINE = "hotline", _("Tổng đài 1022 (nhánh lương thực)")
        CITIZEN = "citizen", _("Hộ gia đình gửi qua đường link")

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa đáp ứng đủ")
        SERVED = "served", _("Đã đáp ứng")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="food_requests")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="requests")
    items = models.CharField(_("nhu cầu"), max_length=500)
    portions = models.PositiveIntegerField(_("số suất"))
    portions_delivered = models.PositiveIntegerField(default=0)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    source = models.CharField(
        _("nguồn"), max_length=10, choices=Source.choices, default=Source.COMMUNE
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    served_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "requested_at"]
        indexes = [
            # Outstanding requests per zone.
            models.Index(fields=["zone", "status"], name="zone_food_open_idx"),
        ]
        constraints = [
            # A household asking from outside the commune team (a 1022 call, its own link)
            # has one open request: a second call, a double tap or two agents at once join
            # it (services.food_request_from_outside) instead of doubling the portions.
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status="open", source__in=["hotline", "citizen"]),
                name="zone_food_one_open_outside",
            )
        ]

    def __str__(self) -> str:
        return self.items

    @property
    def portions_outstanding(self) -> int:
        return max(self.portions - self.portions_delivered, 0)


class Delivery(models.Model):
    """Food or necessities handed to a household by a relief centre or the commune team."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="deliveries")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="deliveries")
    request = models.ForeignKey(
        FoodRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    portions = models.PositiveIntegerField(_("số suất"))
    items = models.CharField(_("hàng đã giao"), max_length=500, blank=True)
    centre = models.CharField(_("đơn vị giao"), max_length=200, blank=True)
    delivered_on = models.DateField(_("ngày giao"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set once by the household through its link ("đã nhận"); never cleared.
    confirmed_at = models.DateTimeField(_("hộ xác nhận đã nhận"), null=True, blank=True)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        indexes = [
            # The food-gap list: the last delivery of each household.
            models.Index(fields=["household", "delivered_on"], name="zone_delivery_last_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.portions} @ {self.delivered_on:%d/%m/%Y}"


class HouseholdLink(PersonalLinkMixin):
    """A household's personal link to its food page (ask, see deliveries, confirm one).
    It lives while the zone does: `selectors.household_by_link` also refuses it once the
    zone ended more than `rules.HOUSEHOLD_LINK_GRACE_DAYS` ago."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Link hộ #{self.household_id}"


class HouseholdLinkSend(LinkSend):
    """One sending of a household's link by SMS or Zalo (the link itself is only a hash)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="link_sends")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} hộ #{self.household_id}"


# The classes a rule row can give; green ("vùng xanh") is what an area is when it reaches
# none of them.
RULE_CLASSES = [c for c in Zone.RiskClass.choices if c[0] != Zone.RiskClass.GREEN]


class ClassRule(models.Model):
    """The thresholds that put an area (a commune, or a zone over its communes) in a risk
    class, over the last `window_days` days, from `valid_from` (rules.classify). The class is
    reached when any one threshold filled in is reached (2686/QĐ-BCĐQG names each class by
    "one of these factors"); an empty threshold is not checked. The rules read, per class,
    the active row with the latest `valid_from` on or before the day (thresholds.py)."""

    risk_class = models.CharField(_("phân loại"), max_length=10, choices=RULE_CLASSES)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    window_days = models.PositiveSmallIntegerField(
        _("số ngày tính"), default=14, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    min_cases = models.PositiveIntegerField(
        _("ca mắc mới trong cộng đồng, từ"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    min_cases_per_100k = models.DecimalField(
        _("ca mắc mới trên 100.000 dân, từ"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100_000)],
    )
    min_positives = models.PositiveIntegerField(
        _("mẫu dương tính qua xét nghiệm sàng lọc, từ"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    min_clusters = models.PositiveIntegerField(
        _("ổ dịch đang hoạt động, từ"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1_000)],
    )
    min_clusters_no_source = models.PositiveIntegerField(
        _("ổ dịch chưa rõ nguồn lây, từ"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1_000)],
    )
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["risk_class", "-valid_from"]
        verbose_name = _("ngưỡng phân loại nguy cơ")
        constraints = [
            # One row of a class from one day: the rules could not tell two apart.
            models.UniqueConstraint(
                fields=["risk_class", "valid_from"],
                condition=models.Q(active=True),
                name="zone_class_rule_one_per_day",
                violation_error_message=_(
                    "Đã có một dòng đang dùng của phân loại này từ cùng ngày."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_risk_class_display()} · {self.valid_from:%d/%m/%Y}"


class RuleValue(models.Model):
    """One number of the zone rules (the days without a case before lifting, the days
    without food before a household is listed) from `valid_from`, with its source."""

    class Key(models.TextChoices):
        LIFT_DAYS = "lift_days", _("Số ngày không có ca mắc mới để gỡ phong tỏa")
        FOOD_GAP_DAYS = "food_gap_days", _("Số ngày chưa được giao lương thực thì cần xử lý")

    key = models.CharField(_("quy tắc"), max_length=20, choices=Key.choices)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    value = models.PositiveSmallIntegerField(
        _("số ngày"), validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["key", "-valid_from"]
        verbose_name = _("quy tắc số ngày của vùng")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "valid_from"],
                condition=models.Q(active=True),
                name="zone_rule_value_one_per_day",
                violation_error_message=_("Đã có một dòng đang dùng của quy tắc này từ cùng ngày."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} = {self.value} · {self.valid_from:%d/%m/%Y}"
