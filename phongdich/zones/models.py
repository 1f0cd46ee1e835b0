"""Zones: an area under a measure (lockdown, Directive 15/16/19 distancing) or a risk class,
its append-only history of changes, the proposals that change it, and the food supply of
the households inside it (issue 14, "Zones")."""

from django.conf import settings
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
