from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from phongdich.lib.idempotency import SubmittedOnce
from phongdich.lib.tokens import PersonalLinkMixin

from . import rules

UNIT = "geo.AdminUnit"
USER = settings.AUTH_USER_MODEL


class Decision(models.TextChoices):
    LET_THROUGH = rules.LET_THROUGH, _("Cho qua")
    TRANSIT = rules.TRANSIT, _("Đi qua tỉnh, có dẫn đường")
    HANDOVER = rules.HANDOVER, _("Bàn giao xã, cách ly/theo dõi tại nhà")
    CENTRALISED = rules.CENTRALISED, _("Chuyển cách ly tập trung")


class Checkpoint(models.Model):
    class Kind(models.TextChoices):
        ROAD = "road", _("Đường bộ")
        RAIL = "rail", _("Ga tàu")
        BUS = "bus", _("Bến xe")
        PORT = "port", _("Cảng")
        AIRPORT = "airport", _("Sân bay")

    name = models.CharField(_("tên chốt"), max_length=150)
    unit = models.ForeignKey(
        UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn")
    )
    gate = models.CharField(_("cửa ngõ"), max_length=150, blank=True)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.ROAD)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    # A lockdown zone's own checkpoint (attached on the zone's page); its passages show there.
    zone = models.ForeignKey(
        "zones.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checkpoints",
        verbose_name=_("vùng phong tỏa"),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EpidemicArea(SubmittedOnce):
    """A unit listed as an epidemic area (vùng dịch) for a period; origins are checked against
    the listed unit's subtree."""

    unit = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("cấp độ"), default=3)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.unit} (cấp {self.level})"


class Declaration(SubmittedOnce):
    """A health declaration (tờ khai y tế), national form fields (RULES.md)."""

    class TravelMode(models.TextChoices):
        CAR = "car", _("Ô tô")
        MOTORBIKE = "motorbike", _("Xe máy")
        BUS = "bus", _("Xe khách")
        TRAIN = "train", _("Tàu hỏa")
        PLANE = "plane", _("Máy bay")
        SHIP = "ship", _("Tàu thủy")
        OTHER = "other", _("Khác")

    class TestResult(models.TextChoices):
        NONE = "", _("Chưa xét nghiệm")
        NEGATIVE = "negative", _("Âm tính")
        POSITIVE = "positive", _("Dương tính")

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="declarations"
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    sex = models.CharField(_("giới tính"), max_length=1, blank=True)
    nationality = models.CharField(_("quốc tịch"), max_length=60, default="Việt Nam")
    id_number = models.CharField(_("CCCD/CMND/hộ chiếu"), max_length=20, blank=True)
    travel_mode = models.CharField(_("phương tiện"), max_length=10, choices=TravelMode.choices)
    vehicle_number = models.CharField(_("biển số/số hiệu"), max_length=30, blank=True)
    seat = models.CharField(_("số ghế"), max_length=10, blank=True)
    departure_date = models.DateField(_("ngày khởi hành"), null=True, blank=True)
    arrival_date = models.DateField(_("ngày đến"))
    places_visited = models.TextField(_("nơi đã đến trong 14 ngày"), blank=True)
    origin = models.ForeignKey(
        UNIT,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nơi đi"),
    )
    origin_text = models.CharField(_("nơi đi (ghi rõ)"), max_length=200, blank=True)
    # Null when the traveller only passes through to another province.
    destination_commune = models.ForeignKey(
        UNIT,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("xã/phường đến"),
    )
    destination_address = models.CharField(_("địa chỉ nơi đến"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=12, blank=True)
    email = models.EmailField(_("email"), blank=True)
    symptoms = models.JSONField(_("triệu chứng 14 ngày"), default=list, blank=True)
    exposures = models.JSONField(_("tiếp xúc 14 ngày"), default=list, blank=True)
    test_result = models.CharField(
        _("kết quả xét nghiệm"), max_length=10, choices=TestResult.choices, blank=True
    )
    test_taken_at = models.DateTimeField(_("thời điểm xét nghiệm"), null=True, blank=True)
    vaccine_doses = models.PositiveSmallIntegerField(_("số mũi vắc xin"), null=True, blank=True)
    recovered_on = models.DateField(_("ngày khỏi bệnh COVID"), null=True, blank=True)
    checkpoint = models.ForeignKey(
        Checkpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations"
    )
    # Read aloud at the checkpoint: 6 characters from an alphabet without 0/O, 1/I/L, 2/Z...
    code = models.CharField(max_length=8, db_index=True)
    # Random part of the signed QR payload; the QR is unguessable even knowing the pk.
    qr_nonce = models.CharField(max_length=32)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # serves the short-code lookup of recent declarations at the checkpoint
            models.Index(fields=["code", "created_at"], name="cp_decl_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"

    @property
    def has_symptoms(self) -> bool:
        return bool(self.symptoms)


class DeclarationLink(PersonalLinkMixin):
    """The traveller's personal link: shows their QR and lets them update the declaration."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="links")
    created_at = models.DateTimeField(auto_now_add=True)


class Direction(models.TextChoices):
    IN = "in", _("Vào")
    OUT = "out", _("Ra")


class Passage(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="passages")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="passages")
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices)
    suggested_decision = models.CharField(max_length=12, choices=Decision.choices)
    suggestion_rule = models.CharField(max_length=40, blank=True)
    facility = models.ForeignKey(
        "facilities.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    # Into or out of the area the checkpoint guards: a province gate records arrivals (in);
    # a lockdown zone's checkpoint counts both ways on the zone's page.
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.IN)
    # Generated by the officer's browser: a retried post after a dropped connection carries
    # the same key and finds the passage already recorded.
    idempotency_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            # serves oversight counts per checkpoint by hour/day
            models.Index(fields=["checkpoint", "at"], name="cp_passage_cp_at_idx"),
        ]

    def __str__(self) -> str:
        # Read in the audit trail: the decision by its name, never its code.
        return f"{self.get_decision_display()} · tờ khai #{self.declaration_id}"


class Handover(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ đến")
        ARRIVED = "arrived", _("Đã đến")
        NO_SHOW = "no_show", _("Không đến")

    passage = models.OneToOneField(Passage, on_delete=models.PROTECT, related_name="handover")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    expected_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expected_at"]
        indexes = [
            # serves the commune arrivals list: pending hand-overs of one commune by time
            models.Index(fields=["commune", "status", "expected_at"], name="cp_handover_list_idx"),
        ]

    def __str__(self) -> str:
        return f"bàn giao {self.person_id} → {self.commune_id}"


class HomeQuarantine(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang cách ly")
        RELEASED = "released", _("Đã kết thúc")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    handover = models.OneToOneField(
        Handover, null=True, blank=True, on_delete=models.PROTECT, related_name="quarantine"
    )
    address = models.CharField(max_length=200, blank=True)
    policy_key = models.CharField(max_length=40)
    policy_source = models.CharField(max_length=200)
    group_label = models.CharField(max_length=120, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    monitoring_end = models.DateField()
    test_dates = models.JSONField(default=list, blank=True)
    commitment_signed_at = models.DateTimeField(null=True, blank=True)
    door_sign_posted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Set by a daily check with fever or breathlessness; the commune list shows it first.
    attention_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["end_date"]
        indexes = [
            # serves "ending today" and the commune's active list
            models.Index(fields=["commune", "status", "end_date"], name="cp_quarantine_list_idx"),
        ]

    def __str__(self) -> str:
        return f"cách ly {self.person_id} đến {self.end_date:%d/%m/%Y}"

    @property
    def test_dates_shown(self) -> str:
        """The test days as a page or paper prints dates (dd/mm/yyyy); stored as ISO."""
        shown = []
        for value in self.test_dates or ():
            try:
                shown.append(date.fromisoformat(value).strftime("%d/%m/%Y"))
            except (TypeError, ValueError):
                shown.append(str(value))
        return ", ".join(shown)


class QuarantineLink(PersonalLinkMixin):
    quarantine = models.ForeignKey(HomeQuarantine, on_delete=models.CASCADE, related_name="links")


class QuarantineCheck(SubmittedOnce):
    quarantine = models.ForeignKey(HomeQuarantine, on_delete=models.CASCADE, related_name="checks")
    at = models.DateTimeField(auto_now_add=True)
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"theo dõi {self.quarantine_id} lúc {self.at:%d/%m %H:%M}"


class TransitEscort(SubmittedOnce):
    passage = models.ForeignKey(
        Passage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vehicle_number = models.CharField(_("biển số"), max_length=30)
    people_count = models.PositiveSmallIntegerField(default=1)
    entry_checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    exit_checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    due_by = models.DateTimeField()
    exited_at = models.DateTimeField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_by"]
        indexes = [
            # serves the overdue scan: not exited, due before now
            models.Index(fields=["exited_at", "due_by"], name="cp_transit_due_idx"),
        ]

    def __str__(self) -> str:
        return self.vehicle_number


class ForecastImport(SubmittedOnce):
    source_association = models.CharField(max_length=200)
    file_name = models.CharField(max_length=200)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    # The first lib.imports.MAX_STORED_ERRORS bad rows ({"line", "errors"}); errors_total
    # counts them all, so a file of 200,000 bad rows stores a report of bounded size.
    errors = models.JSONField(default=list, blank=True)
    errors_total = models.PositiveIntegerField(default=0)
    # Why the whole file was refused (row cap, a bad row in all-or-nothing mode); empty when
    # rows were imported.
    refusal = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.source_association} ({self.file_name})"

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


class ReturneeForecast(models.Model):
    batch = models.ForeignKey(ForecastImport, on_delete=models.CASCADE, related_name="rows")
    full_name = models.CharField(max_length=120)
    name_key = models.CharField(max_length=120)
    phone = models.CharField(max_length=12, blank=True)
    origin_text = models.CharField(max_length=200, blank=True)
    destination_commune = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    expected_date = models.DateField()
    source_association = models.CharField(max_length=200)
    matched_declaration = models.ForeignKey(
        Declaration, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    matched_passage = models.ForeignKey(
        Passage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["expected_date"]
        indexes = [
            models.Index(fields=["destination_commune", "expected_date"], name="cp_forecast_idx"),
            models.Index(fields=["phone"], name="cp_forecast_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name


class CitizenReport(SubmittedOnce):
    """A citizen reporting someone who arrived without declaring (seed 003)."""

    commune = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("địa chỉ"), max_length=200)
    description = models.TextField(_("nội dung"))
    subject_name = models.CharField(_("tên người về (nếu biết)"), max_length=120, blank=True)
    arrived_on = models.DateField(_("ngày về"), null=True, blank=True)
    anonymous = models.BooleanField(default=False)
    reporter_name = models.CharField(max_length=120, blank=True)
    reporter_phone = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"phản ánh {self.pk} · {self.address}"


class Pharmacy(SubmittedOnce):
    name = models.CharField(_("tên nhà thuốc"), max_length=150)
    owner_name = models.CharField(_("người phụ trách"), max_length=120)
    phone = models.CharField(_("điện thoại"), max_length=12)
    address = models.CharField(_("địa chỉ"), max_length=200)
    commune = models.ForeignKey(
        UNIT, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class PharmacyLink(PersonalLinkMixin):
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.CASCADE, related_name="links")


class PharmacyReport(SubmittedOnce):
    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.PROTECT, related_name="reports")
    buyer_name = models.CharField(_("họ tên người mua"), max_length=120)
    buyer_phone = models.CharField(_("điện thoại"), max_length=12, blank=True)
    buyer_address = models.CharField(_("địa chỉ"), max_length=200, blank=True)
    commune = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    symptoms = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.buyer_name} ({self.pharmacy_id})"


class FollowUp(models.Model):
    """Work for the commune health station: a pharmacy buyer with symptoms (free rapid test,
    seed 001) or a reported undeclared arrival."""

    class Kind(models.TextChoices):
        PHARMACY = "pharmacy", _("Người mua thuốc có triệu chứng")
        REPORT = "report", _("Người về không khai báo")

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa xử lý")
        DONE = "done", _("Đã xử lý")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    commune = models.ForeignKey(UNIT, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=300)
    pharmacy_report = models.OneToOneField(
        PharmacyReport, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_up"
    )
    citizen_report = models.OneToOneField(
        CitizenReport, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_up"
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=300, blank=True)
    done_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["commune", "status"], name="cp_followup_idx")]

    def __str__(self) -> str:
        return self.summary


class DecisionRuleRow(models.Model):
    """An editable row of the checkpoint decision table. When any row is active, the active
    rows replace `rules.DECISION_RULES` (the built-in default), in `position` order."""

    position = models.PositiveSmallIntegerField(
        _("thứ tự"), default=100, validators=[MaxValueValidator(999)]
    )
    key = models.SlugField(_("mã"), max_length=40, unique=True)
    decision = models.CharField(_("gợi ý"), max_length=12, choices=Decision.choices)
    reason = models.CharField(_("lý do hiển thị"), max_length=200)
    # Each condition: empty means "any"; every condition that is set must hold.
    symptoms_or_fever = models.BooleanField(_("có triệu chứng/sốt"), null=True, blank=True)
    test_positive = models.BooleanField(_("xét nghiệm dương tính"), null=True, blank=True)
    destination_in_province = models.BooleanField(_("điểm đến trong tỉnh"), null=True, blank=True)
    min_area_level = models.PositiveSmallIntegerField(
        _("từ vùng dịch cấp (trở lên)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    without_negative_test_within_hours = models.PositiveSmallIntegerField(
        _("không có xét nghiệm âm tính trong (giờ)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(720)],
    )
    max_doses = models.PositiveSmallIntegerField(
        _("tiêm tối đa (mũi)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    source = models.CharField(_("văn bản quy định"), max_length=200, blank=True)
    unconfirmed = models.BooleanField(_("chưa xác nhận"), default=True)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("dòng bảng gợi ý quyết định")

    def __str__(self) -> str:
        return f"{self.position}. {self.key} → {self.decision}"

    def as_rule(self) -> rules.DecisionRule:
        return rules.DecisionRule(
            key=self.key,
            decision=self.decision,
            reason=self.reason,
            symptoms_or_fever=self.symptoms_or_fever,
            test_positive=self.test_positive,
            destination_in_province=self.destination_in_province,
            min_area_level=self.min_area_level,
            without_negative_test_within_hours=self.without_negative_test_within_hours,
            max_doses=self.max_doses,
        )


class QuarantinePolicyRow(models.Model):
    """A dated quarantine rule for people handed over from a checkpoint (RULES.md, "F1
    quarantine"). Seeded from the built-in `rules.QUARANTINE_POLICIES`; the province edits
    the rows on the policy pages, and the rules read the active rows (services)."""

    class CountedFrom(models.TextChoices):
        ARRIVAL = "arrival", _("Ngày đến")
        LAST_EXPOSURE = "last_exposure", _("Lần tiếp xúc cuối")

    key = models.SlugField(_("mã"), max_length=40, unique=True)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    # Empty: until the next row's date (the built-in table has no end dates).
    valid_to = models.DateField(_("đến hết ngày"), null=True, blank=True)
    regulation = models.CharField(_("văn bản quy định"), max_length=200)
    summary = models.CharField(_("tóm tắt"), max_length=300)
    counted_from = models.CharField(
        _("tính từ"), max_length=16, choices=CountedFrom.choices, default=CountedFrom.ARRIVAL
    )
    confirmed = models.BooleanField(_("đã đối chiếu văn bản"), default=False)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["valid_from", "key"]
        verbose_name = _("quy định cách ly")

    def __str__(self) -> str:
        return f"{self.valid_from:%d/%m/%Y} · {self.regulation}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Ngày kết thúc trước ngày bắt đầu.")})


def _test_days(value: str) -> tuple[int, ...]:
    return tuple(int(part) for part in value.replace(";", ",").split(",") if part.strip())


def validate_test_days(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        days = _test_days(value)
    except ValueError:
        raise ValidationError(_("Ghi các ngày xét nghiệm bằng số, cách nhau dấu phẩy.")) from None
    if any(d < 1 or d > 60 for d in days):
        raise ValidationError(_("Ngày xét nghiệm phải từ 1 đến 60."))


class QuarantineGroupRow(models.Model):
    """One branch of a quarantine rule: who it applies to (doses, recent recovery) and for
    how long. The first active group (by position) that applies to the person wins; a group
    with neither condition applies to everyone left."""

    policy = models.ForeignKey(
        QuarantinePolicyRow,
        on_delete=models.PROTECT,
        related_name="groups",
        verbose_name=_("quy định"),
    )
    position = models.PositiveSmallIntegerField(
        _("thứ tự"), default=10, validators=[MaxValueValidator(999)]
    )
    label = models.CharField(_("nhóm người"), max_length=120)
    min_doses = models.PositiveSmallIntegerField(
        _("tiêm từ (mũi)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    recovered_within_days = models.PositiveSmallIntegerField(
        _("hoặc khỏi bệnh trong (ngày)"), null=True, blank=True, validators=[MaxValueValidator(730)]
    )
    centralised_days = models.PositiveSmallIntegerField(
        _("cách ly tập trung (ngày)"), default=0, validators=[MaxValueValidator(60)]
    )
    home_days = models.PositiveSmallIntegerField(
        _("cách ly tại nhà (ngày)"), default=0, validators=[MaxValueValidator(60)]
    )
    monitoring_days = models.PositiveSmallIntegerField(
        _("tự theo dõi (ngày)"), default=0, validators=[MaxValueValidator(60)]
    )
    test_days = models.CharField(
        _("ngày xét nghiệm (vd: 1,7)"), max_length=40, blank=True, validators=[validate_test_days]
    )
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["policy__valid_from", "position", "pk"]
        verbose_name = _("nhóm áp dụng quy định cách ly")

    def __str__(self) -> str:
        return f"{self.policy.key} · {self.label}"

    def as_group(self) -> rules.PolicyGroup:
        return rules.PolicyGroup(
            self.label,
            min_doses=self.min_doses,
            recovered_within_days=self.recovered_within_days,
            centralised_days=self.centralised_days,
            home_days=self.home_days,
            monitoring_days=self.monitoring_days,
            test_days=_test_days(self.test_days),
        )
