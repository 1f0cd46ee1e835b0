from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """One rate-limit counter per key, for deployments without Redis (see lib.ratelimit).

    The database cache needs a dozen statements for one count (add, cull check, a locked
    increment); this table needs one upsert. A row outlives its window only until the daily
    prune (lib.tasks.prune_rate_counters); a stale row is reset by the next hit anyway.
    """

    key = models.CharField(max_length=250, primary_key=True)
    window_ends = models.BigIntegerField()  # Unix time at which the counted window closes
    hits = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["window_ends"], name="lib_ratecounter_ends")]

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} until {self.window_ends}"


def _upload_path(job, filename: str) -> str:
    # A random name: the stored upload holds personal data and is read only by the worker;
    # its name on disk must not be guessable from the job's id or date.
    import secrets
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"imports/{secrets.token_hex(16)}{suffix}"


class ImportJob(models.Model):
    """A file import run by the worker (lib.background_imports): the stored upload until the
    run ends, the state and counts for the progress page, and the final line-numbered
    report. Only its owner, inside the jurisdiction they had when they uploaded it, sees it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã nhập xong")
        REFUSED = "refused", _("Tệp bị từ chối")
        FAILED = "failed", _("Không nhập được")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The owner's jurisdiction when the file was uploaded: the import ran inside it, and a
    # user moved to another unit no longer sees what it matched.
    jurisdiction = models.ForeignKey(
        "geo.AdminUnit", null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=64)  # lib.background_imports.ImportKind.name
    mode = models.CharField(max_length=16)  # lib.imports.KEEP_GOOD / ALL_OR_NOTHING
    filename = models.CharField(max_length=150)  # the uploaded file's own name
    upload = models.FileField(upload_to=_upload_path, blank=True, max_length=200)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=16, blank=True)  # the kind's own step: read, match…
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)  # 0 while the file is being read
    result = models.JSONField(default=dict, blank=True)  # the kind's counts and the report
    error = models.CharField(max_length=200, blank=True)
    job_id = models.CharField(max_length=64, blank=True)  # the worker's job, for its state
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-id"], name="lib_importjob_owner_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
