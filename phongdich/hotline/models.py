"""Hotline 1022 and the relief centre: tickets, routing, conversations, relief, NQ 68 support.

No foreign key points at the F0 app (cases): an F0 caller is linked through people.Person,
and the case is looked up through `phongdich.cases.selectors.case_summary_for_person`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from phongdich.lib.idempotency import SubmittedOnce
from phongdich.lib.identity import format_phone
from phongdich.lib.tokens import PersonalLinkMixin


class Priority(models.TextChoices):
    P1 = "P1", _("P1 · Khẩn cấp")
    P2 = "P2", _("P2 · Cao")
    P3 = "P3", _("P3 · Thường")
    P4 = "P4", _("P4 · Thấp")


class Category(models.Model):
    """A hotline branch (nhánh), after Hà Nội's 1022 menu; the province edits the branches
    on its policy pages (/policy/hotline-categories/)."""

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên nhánh"), max_length=120)
    branch_number = models.PositiveSmallIntegerField(
        _("số nhánh"), default=0, validators=[MaxValueValidator(99)]
    )
    description = models.CharField(_("mô tả"), max_length=255, blank=True)
    # Priority a ticket in this branch gets when no triage rule raises it.
    default_priority = models.CharField(
        _("mức ưu tiên mặc định"), max_length=2, choices=Priority.choices, default=Priority.P3
    )
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["branch_number", "code"]
        verbose_name = _("nhánh tổng đài")

    def __str__(self) -> str:
        return f"{self.branch_number} · {self.label}" if self.branch_number else self.label

    @property
    def label(self) -> str:
        """The branch's name in the reader's language: the seeded names are msgids; a branch
        the province adds shows as typed."""
        return gettext(self.name) if self.name else self.name


class ResponsibleUnit(models.Model):
    """An office that answers tickets: a commune health station, a People's Committee..."""

    class Kind(models.TextChoices):
        HEALTH_STATION = "health_station", _("Trạm y tế xã")
        COMMUNE_COMMITTEE = "commune_committee", _("UBND xã")
        DISTRICT_POLICE = "district_police", _("Công an huyện")
        RELIEF_CENTRE = "relief_centre", _("Trung tâm hỗ trợ")
        CDC = "cdc", _("CDC")
        OTHER = "other", _("Khác")

    name = models.CharField(_("tên đơn vị"), max_length=160)
    kind = models.CharField(_("loại đơn vị"), max_length=24, choices=Kind.choices)
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.PROTECT,
        related_name="hotline_units",
        verbose_name=_("địa bàn"),
    )
    focal_points = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="hotline_units",
        verbose_name=_("đầu mối (nhận email khi quá hạn)"),
    )
    phone = models.CharField(_("điện thoại"), max_length=16, blank=True)
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("đơn vị tiếp nhận")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Category × administrative unit → responsible unit. The most specific unit wins.

    `category` empty means "every branch" (a catch-all for that unit); the province's
    catch-all is the fallback for everything (see rules.resolve_route).
    """

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routes",
        verbose_name=_("nhánh"),
        help_text=_("Để trống: mọi nhánh."),
    )
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        on_delete=models.CASCADE,
        related_name="hotline_routes",
        verbose_name=_("địa bàn"),
    )
    unit = models.ForeignKey(
        ResponsibleUnit,
        on_delete=models.CASCADE,
        related_name="routes",
        verbose_name=_("đơn vị tiếp nhận"),
    )
    # Deactivated rules stay for the record; routing reads active rules only.
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "admin_unit"], name="hotline_route_unique"),
        ]
        verbose_name = _("quy tắc chuyển phiếu")

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.admin_unit} → {self.unit}"


class SlaPolicy(models.Model):
    """Service-level target per priority (editable; the defaults are the province's choice)."""

    priority = models.CharField(
        _("mức ưu tiên"), max_length=2, choices=Priority.choices, unique=True
    )
    # At least a minute (0 would make every ticket overdue at birth), at most 30 days.
    minutes = models.PositiveIntegerField(
        _("thời hạn (phút)"), validators=[MinValueValidator(1), MaxValueValidator(30 * 24 * 60)]
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["priority"]
        verbose_name = _("thời hạn xử lý")

    def __str__(self) -> str:
        return f"{self.priority}: {self.minutes} min"


class Channel(models.TextChoices):
    PHONE = "phone", _("Điện thoại")
    WEB = "web", _("Trang web")
    SMS = "sms", _("SMS")
    CHAT = "chat", _("Chat")
    # Opened by the system from an F0 danger alert (cases app), not by a citizen.
    ALERT = "alert", _("Cảnh báo tự động")


class Status(models.TextChoices):
    NEW = "new", _("Mới")
    CLAIMED = "claimed", _("Đang xử lý")
    WAITING = "waiting_citizen", _("Chờ người dân")
    RESOLVED = "resolved", _("Đã giải quyết")
    CLOSED = "closed", _("Đã đóng")


OPEN_STATUSES = (Status.NEW, Status.CLAIMED, Status.WAITING)


class Ticket(SubmittedOnce):
    channel = models.CharField(max_length=8, choices=Channel.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tickets")
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    # Why triage chose the priority, in words staff can check ("khó thở", "F0 có cảnh báo").
    priority_reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    text = models.TextField()
    caller_name = models.CharField(max_length=120, blank=True)
    caller_phone = models.CharField(max_length=12, blank=True)  # +84…
    anonymous = models.BooleanField(default=False)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    commune = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    assigned_unit = models.ForeignKey(
        ResponsibleUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_tickets",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_tickets",
    )
    # Where it came from outside: "cases.alert:12", "checkpoints.report:5", an SMS id.
    source_ref = models.CharField(max_length=100, blank=True)
    # The F0 danger alert this ticket was opened for: one event, one piece of work, so
    # closing either side closes or notes the other (services/alert_link.py).
    alert = models.OneToOneField(
        "cases.Alert",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket",
    )
    # The zone's food request this food-branch call was linked to (services/food_link.py):
    # the ticket shows how much of it has been delivered.
    food_request = models.ForeignKey(
        "zones.FoodRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    due_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    # Optimistic concurrency: every write is `UPDATE ... WHERE version = <seen>`.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # serves the agent queue: open tickets ordered by SLA due time, walked in order
            # and stopped after one page (ORDER BY due_at, id LIMIT 50)
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status__in=["new", "claimed", "waiting_citizen"]),
                name="hotline_ticket_open_due_idx",
            ),
            # serves the filters and counts by status
            models.Index(fields=["status", "due_at"], name="hotline_ticket_queue_idx"),
            # serves the escalation sweep: open, overdue, not yet escalated
            models.Index(fields=["due_at", "escalated_at"], name="hotline_ticket_overdue_idx"),
            # serves inbound SMS threading and the caller lookup: same phone's open tickets
            models.Index(fields=["caller_phone", "status"], name="hotline_ticket_phone_idx"),
            models.Index(fields=["created_at"], name="hotline_ticket_created_idx"),
        ]
        verbose_name = _("phiếu tổng đài")

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.name if self.category_id else ''}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def caller_phone_display(self) -> str:
        return format_phone(self.caller_phone)


class TicketMessage(SubmittedOnce):
    class Direction(models.TextChoices):
        IN = "in", _("Người dân gửi")
        OUT = "out", _("Cán bộ trả lời")

    class Delivery(models.TextChoices):
        NONE = "", _("—")
        QUEUED = "queued", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        ON_LINK = "on_link", _("Trên liên kết")
        FAILED = "failed", _("Gửi lỗi")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # Internal notes are for staff only and never reach the citizen, on any channel.
    internal = models.BooleanField(default=False)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    delivery_status = models.CharField(max_length=8, choices=Delivery.choices, blank=True)
    delivery_error = models.CharField(max_length=255, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} #{self.ticket_id}"


class TicketEvent(models.Model):
    class Kind(models.TextChoices):
        CREATE = "create", _("Tạo phiếu")
        CLAIM = "claim", _("Nhận xử lý")
        RELEASE = "release", _("Trả lại")
        FORWARD = "forward", _("Chuyển đơn vị")
        REASSIGN = "reassign", _("Giao người khác")
        ESCALATE = "escalate", _("Quá hạn, báo cấp trên")
        REPLY = "reply", _("Trả lời")
        NOTE = "note", _("Ghi chú nội bộ")
        CITIZEN = "citizen", _("Người dân nhắn")
        RESOLVE = "resolve", _("Giải quyết")
        CLOSE = "close", _("Đóng")
        REOPEN = "reopen", _("Mở lại")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    from_unit = models.ForeignKey(
        ResponsibleUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        ResponsibleUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.ticket_id}"


class TicketLink(PersonalLinkMixin):
    """The citizen's personal link to follow and answer their ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField(auto_now_add=True)


# --- Relief centre ----------------------------------------------------------------------


class ReliefRequest(SubmittedOnce):
    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Bình thường")
        URGENT = "urgent", _("Gấp")
        CRITICAL = "critical", _("Rất gấp (hết lương thực)")

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa hỗ trợ")
        PARTLY = "partly", _("Đã hỗ trợ một phần")
        DONE = "done", _("Đã hỗ trợ đủ")
        CANCELLED = "cancelled", _("Hủy")

    household_name = models.CharField(_("chủ hộ"), max_length=120)
    household_key = models.CharField(max_length=255, editable=False, db_index=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    people_count = models.PositiveSmallIntegerField(_("số nhân khẩu"), default=1)
    need_rice = models.BooleanField(_("gạo"), default=False)
    need_food = models.BooleanField(_("thực phẩm"), default=False)
    need_medicine = models.BooleanField(_("thuốc"), default=False)
    need_cash = models.BooleanField(_("tiền mặt"), default=False)
    need_other = models.CharField(_("nhu cầu khác"), max_length=255, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    phone = models.CharField(_("số điện thoại"), max_length=12, blank=True, db_index=True)
    commune = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="relief_requests"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="relief_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Flagged, never blocked: an earlier request from the same household or phone within
    # the repeat window (HOTLINE_RELIEF_REPEAT_DAYS).
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("yêu cầu hỗ trợ")

    def __str__(self) -> str:
        return f"{self.household_name} ({self.people_count})"

    @property
    def needs_display(self) -> list[str]:
        out = [
            str(label)
            for flag, label in (
                (self.need_rice, _("gạo")),
                (self.need_food, _("thực phẩm")),
                (self.need_medicine, _("thuốc")),
                (self.need_cash, _("tiền mặt")),
            )
            if flag
        ]
        if self.need_other:
            out.append(self.need_other)
        return out


class Fulfilment(SubmittedOnce):
    request = models.ForeignKey(ReliefRequest, on_delete=models.CASCADE, related_name="fulfilments")
    what = models.CharField(_("đã trao"), max_length=255)
    delivered_at = models.DateTimeField(_("thời điểm trao"))
    delivered_by = models.CharField(_("người/đơn vị trao"), max_length=160)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivered_at"]

    def __str__(self) -> str:
        return self.what


class SupportPolicy(models.Model):
    """A support package line under Nghị quyết 68/NQ-CP (dated, editable policy data)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    label = models.CharField(_("tên khoản hỗ trợ"), max_length=200)
    amount_vnd = models.PositiveIntegerField(
        _("mức hỗ trợ (đồng)"), validators=[MaxValueValidator(100_000_000)]
    )
    per_day = models.BooleanField(_("tính theo ngày"), default=False)
    max_days = models.PositiveSmallIntegerField(
        _("tối đa (ngày)"), null=True, blank=True, validators=[MaxValueValidator(366)]
    )
    once_per_person = models.BooleanField(_("một lần mỗi người"), default=False)
    # Only children under this age qualify (the NQ 68 children's line), else no age limit.
    max_age_exclusive = models.PositiveSmallIntegerField(
        _("chỉ trẻ dưới (tuổi)"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    source = models.CharField(_("văn bản quy định"), max_length=200)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    # False for amounts we could not check against the resolution's text: the UI says so.
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("chính sách hỗ trợ")

    def __str__(self) -> str:
        # The seeded labels are msgids: a payment form's choices read in the reader's language.
        return gettext(self.label) if self.label else self.label


class SupportPayment(SubmittedOnce):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="support_payments"
    )
    policy = models.ForeignKey(SupportPolicy, on_delete=models.PROTECT, related_name="payments")
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_vnd = models.PositiveIntegerField()
    note = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.policy_id}: {self.amount_vnd} đ"


class OversightSnapshot(models.Model):
    """The oversight page's figures for one scope, computed by the scheduler
    (`hotline.refresh_oversight`) so the page reads one row whatever the number of
    tickets: at province scale the counts and medians over 30 days took half a second per
    view and grew with the data. A scope is a jurisdiction and whether its readers are
    desk staff (who also see tickets by caller's commune) or not (tickets routed to units
    inside it): the same two inputs `selectors.ticket_scope` reads."""

    unit = models.ForeignKey("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    desk = models.BooleanField()
    days = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()
    figures = models.JSONField()  # counts and medians only: no names, no ticket text

    class Meta:
        constraints = [
            # One row per scope: the refresh upserts it; the page reads it by this key.
            models.UniqueConstraint(fields=["unit", "desk", "days"], name="oversight_one_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{'desk' if self.desk else 'units'}/{self.days}d"
