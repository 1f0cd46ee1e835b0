from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit row."""

    def __init__(self, model):
        super().__init__(f"{model.__name__} rows are append-only: never updated or deleted")


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk UPDATE and DELETE, so the ORM cannot go around the per-row guard.

    On PostgreSQL a trigger (migration 0003) refuses them in the database as well; SQLite
    has no trigger because Django's test flush empties tables there with DELETE.
    """

    def update(self, **kwargs):
        raise AppendOnlyError(self.model)

    # `_update` is what Model.save() and the deletion collector (SET_NULL) use underneath.
    def _update(self, values):
        raise AppendOnlyError(self.model)

    def delete(self):
        raise AppendOnlyError(self.model)

    delete.queryset_only = True

    # The collector's fast path deletes with a raw DELETE, skipping `delete()`.
    def _raw_delete(self, using):
        raise AppendOnlyError(self.model)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(self.model)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(type(self))


def home_province() -> str:
    """An event's province when its writer names none (a data migration, a bulk insert)."""
    return settings.HOME_PROVINCE_CODE


class AuditEvent(AppendOnlyModel):
    """Append-only record of who did or read what. Never updated, never deleted."""

    class Kind(models.TextChoices):
        WRITE = "write", _("Ghi")
        READ = "read", _("Xem")
        AUTH = "auth", _("Đăng nhập")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text too so the trail survives a renamed account and shows citizens' actions.
    actor_label = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.WRITE)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # The province the event belongs to (its actor's; the home province for system and
    # citizen events). On PostgreSQL the table is partitioned by it, then by month of `at`
    # (migration 0006, audit.partitions), so a province's audit page reads its own partitions.
    province = models.CharField(max_length=10, blank=True, default=home_province)
    # The action's first segment ("people" for "people.search"; "" for an action without a
    # dot): the audit filter by "people." is an equality on (app, id), not a LIKE that
    # walks the id index from the newest event until it finds old matches.
    app = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # serves "what happened to this record" on a person's page and the audit filter
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # serves "this user's last event" (a repeated read is folded into it) and the
            # audit page filtered by one account
            models.Index(fields=["actor", "id"], name="audit_actor_idx"),
            # serves the audit page filtered by an action prefix ("people."), newest first
            models.Index(fields=["app", "id"], name="audit_app_idx"),
        ]
        verbose_name = _("sự kiện nhật ký")
        verbose_name_plural = _("sự kiện nhật ký")

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} {self.action}"


class AuditReadSubject(AppendOnlyModel):
    """One record shown by a read event, and whose personal data it holds.

    A list page, an export or an API answer is ONE AuditEvent with one row here per record
    shown; "who has read this person's records" is then one index range on `person_id`,
    whichever page, export or case the read went through.
    """

    # No database constraint: on PostgreSQL the events table is partitioned, and a foreign
    # key into a partitioned table must name its whole key (id, province, at). The event is
    # written in the same transaction and never deleted, so the reference cannot dangle.
    event = models.ForeignKey(
        AuditEvent, on_delete=models.PROTECT, related_name="subjects", db_constraint=False
    )
    # The record shown: a person, or a case / ticket / declaration that holds a person's data.
    record_type = models.CharField(max_length=64)
    record_id = models.BigIntegerField()
    # A plain integer, not a foreign key: merging two people must not rewrite the trail
    # (selectors read the merged records' ids too), and the trail outlives any record.
    # Null when the record names no registered person (an anonymous 1022 call).
    person_id = models.BigIntegerField(null=True, blank=True)
    # The event's province (GSO code), written with the rows (services._insert_subjects):
    # the partition key on PostgreSQL (migration 0008), and a subject sits with its event
    # when the two tables are distributed by province.
    province = models.CharField(max_length=10, blank=True, default="", db_default="")

    class Meta:
        indexes = [
            # serves "every read of this person's records", newest first, on the person page
            models.Index(fields=["person_id", "event"], name="audit_subject_person_idx"),
        ]
        verbose_name = _("hồ sơ đã xem")
        verbose_name_plural = _("hồ sơ đã xem")

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id}"


def _export_path(export, filename: str) -> str:
    # A random name: the file is served only through the owner's download view, and its
    # name on disk must not be guessable from its id or its date.
    import secrets

    return f"exports/{export.created_at:%Y/%m}/{secrets.token_hex(16)}.xlsx"


class Export(models.Model):
    """A large XLSX export built by the worker (lib.exports): its progress, its file and
    when the file is removed. Only its owner downloads it; every download is an audit read.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang tạo tệp")
        DONE = "done", _("Sẵn sàng tải về")
        FAILED = "failed", _("Không tạo được tệp")
        EXPIRED = "expired", _("Tệp đã hết hạn")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=64)  # lib.exports.ExportKind.name
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)  # expected, for the progress bar
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=_export_path, blank=True)
    filename = models.CharField(max_length=150, blank=True)  # the name the download gets
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    job_id = models.CharField(max_length=64, blank=True)  # the worker's job, for its state

    class Meta:
        indexes = [
            # serves the owner's list of recent exports, newest first
            models.Index(fields=["owner", "-id"], name="audit_export_owner_idx"),
            # serves the daily removal of expired files
            models.Index(fields=["status", "expires_at"], name="audit_export_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
