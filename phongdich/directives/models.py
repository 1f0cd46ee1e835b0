"""Directives: the unit directory, imported documents, their tasks and the follow-up.

A document is imported as a draft (its tasks as the extractor read them), corrected by the
clerk, then confirmed. A task addressed to several units (a group such as "UBND các huyện")
stays one task with one member row per unit (TaskAssignment), each with its own status; the
task's own status is what its lead members' statuses add up to (rules.task_status_of).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.lib.idempotency import SubmittedOnce
from phongdich.lib.text import name_key


def unit_key(name: str) -> str:
    """Folded lookup key for a unit or person name: 'Ủy ban nhân dân tỉnh' == 'UBND tỉnh'.

    Only spelling variants of the same words are merged here; synonyms ("Ngành Y tế" for
    "Sở Y tế") are aliases in the directory, where a clerk can see and change them.
    """
    key = name_key(name)
    for long, short in (
        ("uy ban nhan dan", "ubnd"),
        ("uy ban mat tran to quoc", "ubmttq"),
        ("mat tran to quoc viet nam", "mttq"),
        ("mat tran to quoc", "mttq"),
        ("ban chi dao", "bcd"),
    ):
        key = key.replace(long, short)
    return " ".join(key.split())


class OrgUnit(models.Model):
    """An organisation that can lead or coordinate a task (Sở Y tế, UBND huyện X, ...)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ngành cấp tỉnh")
        COMMITTEE = "committee", _("Ban, ủy ban cấp tỉnh")
        DISTRICT = "district", _("UBND cấp huyện")
        COMMUNE = "commune", _("UBND cấp xã")
        MASS_ORGANISATION = "mass_org", _("Mặt trận, đoàn thể")
        PARTY = "party", _("Cơ quan Đảng")
        OTHER = "other", _("Khác")

    name = models.CharField(_("tên đơn vị"), max_length=200)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    admin_unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="org_units",
        verbose_name=_("địa bàn"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class OrgUnitAlias(models.Model):
    """A way a document writes a unit's name. `key` is unique so resolution is one lookup."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(max_length=300)
    key = models.CharField(max_length=300, unique=True)

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        self.key = unit_key(self.text)
        super().save(*args, **kwargs)


class Official(SubmittedOnce):
    """A named official ('đồng chí Mai Hùng Dũng, Phó Chủ tịch UBND tỉnh'); their office reports."""

    name = models.CharField(_("họ tên"), max_length=120)
    title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    org = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officials",
        verbose_name=_("đơn vị báo cáo thay"),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OfficialAlias(models.Model):
    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(max_length=300)
    key = models.CharField(max_length=300, unique=True)

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        self.key = unit_key(self.text)
        super().save(*args, **kwargs)


class ReporterMembership(models.Model):
    """Which unit a unit_reporter account reports for (accounts.User stays untouched)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directive_memberships"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="directives_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"


class Document(SubmittedOnce):
    class Kind(models.TextChoices):
        KET_LUAN = "ket_luan", _("Kết luận")
        THONG_BAO_KET_LUAN = "thong_bao_ket_luan", _("Thông báo kết luận")
        CHI_THI = "chi_thi", _("Chỉ thị")
        CONG_DIEN = "cong_dien", _("Công điện")
        CONG_VAN = "cong_van", _("Công văn")
        THONG_BAO = "thong_bao", _("Thông báo")
        KE_HOACH = "ke_hoach", _("Kế hoạch")
        QUYET_DINH = "quyet_dinh", _("Quyết định")
        NGHI_QUYET = "nghi_quyet", _("Nghị quyết")
        UNKNOWN = "unknown", _("Văn bản")

    class Status(models.TextChoices):
        EXTRACTING = "extracting", _("Đang đọc văn bản")
        FAILED = "failed", _("Không đọc được")
        DRAFT = "draft", _("Chờ rà soát")
        CONFIRMED = "confirmed", _("Đã xác nhận")

    title = models.CharField(_("trích yếu"), max_length=300, blank=True)
    kind = models.CharField(_("loại văn bản"), max_length=32, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    province = models.CharField(max_length=100, blank=True)
    meeting_date = models.DateField(_("ngày họp"), null=True, blank=True)
    issued_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    signer = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=200, blank=True)
    replaces = models.JSONField(default=list, blank=True)
    references = models.JSONField(default=list, blank=True)
    source_file = models.FileField(upload_to="directives/%Y/%m/", blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)  # normalised (NFC) text; task spans index into it
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    error = models.CharField(max_length=300, blank=True)
    # The background job reading a big upload (its latest run), for the progress page.
    extract_job = models.ForeignKey(
        "django_tasks_database.DBTaskResult",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,  # old job results are pruned; the document stays
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.source_name or f"#{self.pk}"

    @property
    def reference_date(self):
        return self.meeting_date or self.issued_date


class Recurrence(models.TextChoices):
    DAILY = "daily", _("Hằng ngày")
    WEEKLY = "weekly", _("Hằng tuần")
    MONTHLY = "monthly", _("Hằng tháng")


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        REPORTED_DONE = "reported_done", _("Báo cáo hoàn thành")
        ACCEPTED = "accepted", _("Đã hoàn thành")
        RETURNED = "returned", _("Trả lại, làm tiếp")

    DONE_STATUSES = (Status.REPORTED_DONE, Status.ACCEPTED)

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="tasks")
    # The draft item this task was fanned out from (one task per lead unit at confirmation).
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="fanned_out"
    )
    position = models.PositiveIntegerField(default=0)
    ref = models.CharField(_("mục"), max_length=40, blank=True)
    # The item number as the document writes it ("1.", "2-", "Một là"); `ref` is internal.
    label = models.CharField(_("số mục"), max_length=40, blank=True)
    summary = models.CharField(_("tóm tắt"), max_length=400, blank=True)
    text = models.TextField(_("nội dung nhiệm vụ"))
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    deadline_text = models.CharField(_("cụm từ thời hạn"), max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # When the unit reported it done: on time or late is judged on this date.
    completed_at = models.DateTimeField(null=True, blank=True)
    is_draft = models.BooleanField(default=True)
    # "hằng ngày", "hằng tuần", "định kỳ": a report is due every period and none closes it.
    recurrence = models.CharField(
        _("định kỳ báo cáo"), max_length=8, choices=Recurrence.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "position", "pk"]
        indexes = [
            # serves the reminder scan: open confirmed tasks by deadline
            models.Index(fields=["is_draft", "status", "deadline"], name="directives_task_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.summary or self.text[:80]}"

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE_STATUSES

    @property
    def shown_status(self) -> str:
        """The reporter's own unit's status where the list annotated it, else the task's."""
        return getattr(self, "my_status", None) or self.status

    @property
    def shown_status_label(self) -> str:
        return Task.Status(self.shown_status).label

    @property
    def number(self) -> str:
        """The item number to show: as written, else a numeric ref; never an internal ref
        such as "follow_up" or "p3#2"."""
        if self.label:
            return self.label
        return self.ref if self.ref[:1].isdigit() and "#" not in self.ref else ""

    @property
    def is_overdue(self) -> bool:
        # on a reporter's list, their own unit's share decides (shown_status)
        return (
            self.shown_status not in self.DONE_STATUSES
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )

    @property
    def done_late(self) -> bool:
        return (
            self.is_done
            and self.deadline is not None
            and self.completed_at is not None
            and timezone.localdate(self.completed_at) > self.deadline
        )


class UnitProposal(models.Model):
    """A name the directory does not know, proposed to the clerk as a new unit (or a mapping)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        ACCEPTED = "accepted", _("Đã thêm đơn vị mới")
        MAPPED = "mapped", _("Đã gán vào đơn vị có sẵn")
        IGNORED = "ignored", _("Bỏ qua")

    name = models.CharField(max_length=300)
    key = models.CharField(max_length=300, unique=True)
    is_person = models.BooleanField(default=False)
    document = models.ForeignKey(Document, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "name"]

    def __str__(self) -> str:
        return self.name


class TaskAssignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        COORDINATING = "coordinating", _("Phối hợp")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=16, choices=Role.choices)
    name = models.CharField(max_length=300)  # as the document writes it
    is_group = models.BooleanField(default=False)
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    official = models.ForeignKey(Official, null=True, blank=True, on_delete=models.SET_NULL)
    proposal = models.ForeignKey(
        UnitProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments"
    )
    # A member's own follow-up: every unit of a group reports for itself on the one task.
    group_name = models.CharField(max_length=300, blank=True)  # the group as written
    status = models.CharField(max_length=16, choices=Task.Status.choices, default=Task.Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)  # its latest report

    class Meta:
        ordering = ["role", "pk"]
        indexes = [
            # serves "tasks of my unit": TaskAssignment.filter(unit__in=..., role=lead)
            models.Index(fields=["unit", "role"], name="directives_assign_unit_idx"),
            # serves a reporter's list: "my unit's row on this task" (its status and whether
            # there is one), asked once per task; without it PostgreSQL ANDed the task and
            # unit bitmaps for every task (0.2 ms each, 0.45 s at 1,786 tasks)
            models.Index(fields=["task", "unit"], name="directives_assign_task_unit"),
        ]

    def __str__(self) -> str:
        return self.unit.name if self.unit_id else self.name


class ProgressReport(SubmittedOnce):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Task.Status.choices)
    text = models.TextField(_("nội dung báo cáo"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    # The first day of the period a recurring task's report covers (rules.period_start).
    period = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["task", "unit", "period"], name="directives_report_period")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.status}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="directives/reports/%Y/%m/")
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class ReviewAction(models.Model):
    """The clerk's decision on a unit's report: accepted, or returned with a comment."""

    class Verdict(models.TextChoices):
        ACCEPT = "accept", _("Chấp nhận")
        RETURN = "return", _("Trả lại")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reviews")
    # The member whose report was judged (a group task is reviewed member by member).
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.verdict}"


class ReminderSent(models.Model):
    """One row per (task, kind): the unique constraint is what stops a second email."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Sắp đến hạn")
        OVERDUE = "overdue", _("Quá hạn")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "kind"], name="directives_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"


class TaskIndicator(models.Model):
    """A live figure of the platform that tells whether a task is really done: proposed from
    the task's wording (rules.INDICATOR_RULES) or chosen by the clerk, and confirmed by the
    clerk before it is shown. The figure itself is read from its app (indicators.py)."""

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("Tiến độ chiến dịch tiêm chủng")
        OUTREACH = "outreach", _("Tỷ lệ rà soát \u201ckhông bỏ sót\u201d")
        BEDS = "beds", _("Giường bệnh theo loại của cơ sở")
        F0_CONTACTED = "f0_contacted", _("Tỷ lệ F0 đã được liên hệ")
        SCREENING = "screening", _("Độ bao phủ đợt xét nghiệm sàng lọc")
        FOOD_GAPS = "food_gaps", _("Hộ thiếu lương thực trong vùng")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đề xuất")
        CONFIRMED = "confirmed", _("Đã xác nhận")

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="indicator")
    kind = models.CharField(_("chỉ số"), max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    # What the figure is read for: a campaign / facility / round / zone id, or an area.
    object_id = models.PositiveIntegerField(null=True, blank=True)
    area = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bed_type = models.CharField(max_length=32, blank=True)
    # What a count must reach (e.g. beds the task asks for); the percent is measured on it.
    target_value = models.PositiveIntegerField(_("số cần đạt"), null=True, blank=True)
    # The share (percent) at or above which the figure agrees with a "done" report.
    target_percent = models.PositiveSmallIntegerField(_("ngưỡng đạt (%)"), default=100)
    rule = models.CharField(max_length=120, blank=True)  # the wording that proposed it
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"


def _new_token() -> str:
    return uuid.uuid4().hex


class OverviewFigures(models.Model):
    """The committee overview's figures, computed once for every viewer (one row, pk 1).

    The page used to count every confirmed task on each request (bench/directives_overview.py:
    582 ms p50 at 7,238 tasks under load). Every write that changes a figure bumps
    `generation` in its own transaction; the figures are valid while `computed_generation`
    equals it and `day` is today (overdue and the recurring periods depend on the date). A
    reader that finds them stale recomputes and stores them only if no write bumped the
    generation meanwhile, so a late store can never hide a newer change.
    `token` is new whenever the row is created (a fresh database, a restore), so rendered
    pages cached under (token, generation) are never taken for another database's.
    """

    generation = models.PositiveBigIntegerField(default=0)
    computed_generation = models.PositiveBigIntegerField(null=True)
    day = models.DateField(null=True)
    computed_at = models.DateTimeField(null=True)
    token = models.CharField(max_length=32, default=_new_token)
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"overview figures {self.generation} ({self.day})"
