"""Supplies: items, the places that hold stock, and the stock ledger.

The balance of an item at a place is the sum of its ledger entries, never a stored number:
receipts add, issues subtract, a transfer is a pair of entries (out of one place, into
another), a physical count adds the difference it found, and a mistake is corrected by a
new entry that points at the wrong one. Entries are never edited or deleted."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from phongdich.lib.idempotency import SubmittedOnce


class Item(models.Model):
    class Kind(models.TextChoices):
        LIQUID_OXYGEN = "liquid_oxygen", _("Oxy lỏng")
        OXYGEN_CYLINDER = "oxygen_cylinder", _("Bình oxy")
        CONCENTRATOR = "concentrator", _("Máy tạo oxy")
        VENTILATOR = "ventilator", _("Máy thở")
        PCR_REAGENT = "pcr_reagent", _("Sinh phẩm xét nghiệm RT-PCR")
        RAPID_TEST = "rapid_test", _("Kit xét nghiệm nhanh kháng nguyên")
        MEDICINE_BAG = "medicine_bag", _("Túi thuốc")
        PROTECTIVE = "protective", _("Trang phục phòng hộ")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên vật tư"), max_length=120)
    kind = models.CharField(_("nhóm"), max_length=16, choices=Kind.choices)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=20)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.label} ({self.unit_label})"

    # The seeded catalogue's names and units are msgids with their English in the catalog;
    # an item a province adds itself shows as typed.
    @property
    def label(self) -> str:
        return gettext(self.name) if self.name else ""

    @property
    def unit_label(self) -> str:
        return gettext(self.unit_of_measure) if self.unit_of_measure else ""


class Place(models.Model):
    """Where stock is held: a facility, a district warehouse or a commune health station.
    `unit` is what jurisdiction scopes (a facility's place has the facility's unit)."""

    class Kind(models.TextChoices):
        FACILITY = "facility", _("Cơ sở điều trị/cách ly")
        DISTRICT_WAREHOUSE = "warehouse", _("Kho huyện")
        PROVINCE_WAREHOUSE = "province", _("Kho tỉnh")
        COMMUNE_STATION = "station", _("Trạm y tế xã")

    kind = models.CharField(_("loại nơi"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("tên"), max_length=200)
    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    facility = models.OneToOneField(
        "facilities.Facility",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_place",
    )

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("stock entries are never edited: append a correction")

    def delete(self):
        raise TypeError("stock entries are never deleted: append a correction")

    def bulk_update(self, *args, **kwargs):
        raise TypeError("stock entries are never edited: append a correction")


class StockEntry(SubmittedOnce):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Nhập kho")
        ISSUE = "issue", _("Xuất dùng")
        TRANSFER_OUT = "transfer_out", _("Điều chuyển đi")
        TRANSFER_IN = "transfer_in", _("Điều chuyển đến")
        COUNT = "count", _("Kiểm kê")
        CORRECTION = "correction", _("Điều chỉnh sai sót")

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    # Signed: what this entry adds to the balance (negative for issues and transfers out).
    quantity = models.DecimalField(_("số lượng"), max_digits=14, decimal_places=2)
    # A count records what was found; `quantity` is then the difference from the ledger.
    counted = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    # The two entries of one transfer share this id.
    transfer = models.UUIDField(null=True, blank=True, default=None)
    counterpart = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    # The request a transfer in fulfils (set on both entries of the transfer).
    request = models.ForeignKey(
        "SupplyRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("bút toán kho")
        indexes = [
            # Serves balances (SUM by place and item) and the recent issues behind the
            # consumption rate.
            models.Index(fields=["place", "item", "kind", "occurred_at"]),
            # The boards read only the last RATE_WINDOW_DAYS of a ledger that keeps growing.
            models.Index(fields=["occurred_at"], name="supplies_entry_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.item_id}@{self.place_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("stock entries are never edited: append a correction")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("stock entries are never deleted: append a correction")

    @staticmethod
    def new_transfer_id() -> uuid.UUID:
        return uuid.uuid4()


class AlertThreshold(models.Model):
    """The province's alert threshold per item kind: warn when the stock of a place will
    run out within this time at the current consumption rate (a province setting, edited
    on the policy pages)."""

    class Per(models.TextChoices):
        HOURS = "hours", _("giờ")
        DAYS = "days", _("ngày")

    item_kind = models.CharField(
        _("nhóm vật tư"), max_length=16, choices=Item.Kind.choices, unique=True
    )
    within = models.PositiveIntegerField(_("báo động khi chỉ còn đủ dùng trong"))
    per = models.CharField(_("đơn vị thời gian"), max_length=5, choices=Per.choices)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["item_kind"]

    def __str__(self) -> str:
        return f"{self.item_kind}: {self.within} {self.per}"

    @property
    def hours(self) -> int:
        return self.within * (24 if self.per == self.Per.DAYS else 1)


class SupplyRequest(SubmittedOnce):
    """A commune station or a facility asks for an item: what, how much, by when, why. A
    health officer over the place approves it (perhaps for less) or refuses it; transfers
    into the place fulfil it in part or in full (`StockEntry.request`)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        PARTLY = "partly", _("Đã cấp một phần")
        FULFILLED = "fulfilled", _("Đã cấp đủ")
        REJECTED = "rejected", _("Không duyệt")

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="requests")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("số lượng đề nghị"), max_digits=14, decimal_places=2)
    needed_by = models.DateField(_("cần trước ngày"))
    reason = models.CharField(_("lý do"), max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    approved_quantity = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    decision_note = models.CharField(_("ý kiến"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Serves the list of open requests of a jurisdiction, oldest need first.
            models.Index(fields=["status", "needed_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.item_id} {self.quantity}"


class AlertEpisode(models.Model):
    """One alert from when it starts until it clears: stock of an item at a place running
    out within its threshold, or a site with a bed type nearly full. The person in charge is
    told once when an episode opens; the episode closes when the condition no longer holds,
    so a new notice goes out only after the stock recovered and fell again."""

    class Kind(models.TextChoices):
        STOCK = "stock", _("Vật tư sắp hết")
        BEDS = "beds", _("Cơ sở gần hết giường")

    kind = models.CharField(max_length=5, choices=Kind.choices)
    # "stock:<place>:<item>" or "beds:<facility>": at most one open episode per key.
    key = models.CharField(max_length=64)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    facility = models.ForeignKey(
        "facilities.Facility", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(closed_at__isnull=True),
                name="supplies_one_open_alert_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.key


class Procurement(SubmittedOnce):
    """A purchase from the need to the payment, shown publicly for transparency (seed 003).
    Organisational data only: the buying unit, the item, the supplier (a company), the
    amount, the decision number and the dates of each step."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đề xuất")
        APPROVED = "approved", _("Đã phê duyệt")
        CONTRACTED = "contracted", _("Đã ký hợp đồng")
        DELIVERED = "delivered", _("Đã giao hàng")
        PAID = "paid", _("Đã thanh toán")

    # The order of the dossier; a step is only ever followed by the next one.
    STEPS = [s.value for s in Status]

    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị mua")
    )
    need = models.CharField(_("nhu cầu"), max_length=300)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("số lượng"), max_digits=14, decimal_places=2)
    supplier = models.CharField(_("nhà cung cấp"), max_length=200, blank=True)
    amount_vnd = models.PositiveBigIntegerField(_("giá trị (đồng)"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    proposed_on = models.DateField(_("ngày đề xuất"))
    approved_on = models.DateField(null=True, blank=True)
    contracted_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.quantity} ({self.status})"

    @property
    def next_status(self) -> str | None:
        at = self.STEPS.index(self.status)
        return self.STEPS[at + 1] if at + 1 < len(self.STEPS) else None

    def step_dates(self) -> list[tuple[str, object]]:
        return [(s.label, getattr(self, f"{s.value}_on")) for s in self.Status]


class ProcurementDocument(models.Model):
    """A document of the dossier (decision, contract, delivery note, invoice), shown to staff
    only: the public summary lists the decision number, not the files."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="supplies/procurement/%Y/%m/")
    name = models.CharField(_("tên tệp"), max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class StockBalance(models.Model):
    """The ledger's sum per place and item, kept by the transaction that appends each entry,
    so the province's board reads one row per place and item instead of summing the whole
    ledger on every view. The ledger stays the record: `services.balance_of` sums it, and a
    test checks that both agree after every kind of movement."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "item"], name="supplies_balance_one_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.item}: {self.quantity}"
