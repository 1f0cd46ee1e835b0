"""File imports run by the worker instead of inside the request, with a progress page.

A page import ran inside the web request: capped at 10,000 rows so it fits the worker's
60 s timeout, and with nothing to show while it ran. An app registers its import once
(`register(ImportKind(...))`); its page stores the upload with `import_request` and
redirects to the job's progress page (`/imports/<id>/`, refreshed every 2 s by htmx, or
by a meta refresh without JavaScript); the worker runs the kind's own import function
(`import_run`, through `lib.tasks.run_import`), which reports each step through
`progress(stage, done, total)`; the final counts and the line-numbered report stay on
the job. The stored upload is deleted when the run ends, however it ends.

A kind's `run(by, upload, mode, progress)` is the same function the page called inline
before (the dose import's `vaccination.imports.import_doses`), so the command line, the
page and the tests share one path. It must scope its matching to `by` as the page did:
the worker runs it as the job's owner, and refuses to when the owner's jurisdiction
changed since the upload. Labtests and tracing imports adopt it the same way: register a
kind with their import function, its roles and a `summary(result)` sentence; an import of
rows about people (tracing's contacts, vaccination's doses) registers through
`register_people_rows`, which builds the counts, the sentence and the stages they share.

Only the owner sees a job, and only while their jurisdiction is the one they uploaded it
under. A worker killed mid-run leaves the job running; the task reaper runs it again (an
import is one transaction, so the killed run left nothing) and, after the last attempt,
the task is failed: reading the job then shows it failed and removes its upload.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .imports import ALL_OR_NOTHING, KEEP_GOOD, FileRefused, ImportOutcome, check_upload
from .jobs import OwnedJobs
from .models import ImportJob

logger = logging.getLogger(__name__)

# A user's imports waiting or running at once: each holds the worker for minutes.
MAX_UNFINISHED_PER_USER = 2
UNFINISHED = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
JOBS = OwnedJobs(
    model=ImportJob,
    lock_name="import-job",
    unfinished=UNFINISHED,
    max_unfinished=MAX_UNFINISHED_PER_USER,
    by_jurisdiction=True,
)
# The progress row is written at most this often (and at every change of stage).
PROGRESS_EVERY_SECONDS = 1.0

Progress = Callable[[str, int, int], None]  # (stage, rows done, rows in all or 0)


@dataclass(frozen=True)
class ImportKind:
    name: str  # "vaccination.doses": stored on each job, so never rename one
    title: str  # what the progress page calls it (a lazy translation)
    roles: tuple[str, ...]  # who may upload: the roles of the page it comes from
    # (by, upload, mode, progress) → an ImportOutcome with the kind's own counters
    run: Callable[..., ImportOutcome]
    # the outcome's counters as JSON-able values (without the errors and the refusal)
    counts: Callable[[ImportOutcome], dict]
    # the stored counts → one sentence for the report ("Đã ghi 12 mũi tiêm; …")
    summary: Callable[[dict], str]
    back_url: str  # the URL name of the import page, for "import another file"
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 1_000_000
    # the words for each stage the kind reports ("read", "match", "record"…)
    stages: dict | None = None


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    _KINDS[kind.name] = kind
    return kind


def register_people_rows(
    *,
    name: str,
    title,
    roles: tuple[str, ...],
    run: Callable[..., ImportOutcome],
    back_url: str,
    counters: dict[str, str],
    summary,
    record_stage,
    max_bytes: int,
    max_rows: int,
) -> ImportKind:
    """Register an import of rows about people (tracing's contacts, vaccination's doses),
    which share one shape: the stored counts are the outcome's counter attributes,
    `counters` mapping each placeholder of the one-sentence `summary` (a lazy translation,
    "Đã thêm %(n)s …") to its attribute; the stages are reading the file, matching the
    people register, and recording (`record_stage` says what is recorded)."""

    def counts(outcome: ImportOutcome) -> dict:
        return {attribute: getattr(outcome, attribute) for attribute in counters.values()}

    def sentence(stored: dict) -> str:
        return summary % {mark: stored.get(attribute, 0) for mark, attribute in counters.items()}

    return register(
        ImportKind(
            name=name,
            title=title,
            roles=roles,
            run=run,
            counts=counts,
            summary=sentence,
            back_url=back_url,
            max_bytes=max_bytes,
            max_rows=max_rows,
            stages={
                "read": gettext_lazy("Đang đọc và kiểm tra tệp"),
                "match": gettext_lazy("Đang tìm người trong danh sách dân cư"),
                "record": record_stage,
            },
        )
    )


def get_kind(name: str) -> ImportKind | None:
    return _KINDS.get(name)


def _audit(**values):
    from phongdich.audit.services import audit_record

    return audit_record(**values)


@transaction.atomic
def import_request(*, by, kind: str, upload, mode: str) -> ImportJob:
    """Store the upload and queue its import. The file's size and format are checked now,
    so a wrong file is refused on the page, not minutes later; at most
    MAX_UNFINISHED_PER_USER imports of one user wait or run at once."""
    spec = get_kind(kind)
    if spec is None or not by.has_role(*spec.roles):
        raise ValidationError(_("Bạn không có quyền nhập tệp này."))
    if mode not in (KEEP_GOOD, ALL_OR_NOTHING):
        raise ValidationError(_("Chọn cách xử lý dòng lỗi."))
    check_upload(upload, max_bytes=spec.max_bytes)  # FileRefused: the page shows it
    JOBS.refuse_when_full(
        JOBS.lock_unfinished(by).count(),
        _("Bạn đang có %(n)s tệp đang nhập; hãy chờ một tệp xong rồi nhập tiếp."),
    )
    job = ImportJob(
        owner=by,
        jurisdiction_id=by.jurisdiction_id,
        kind=kind,
        mode=mode,
        filename=(upload.name or "")[:150],
    )
    upload.seek(0)
    job.upload.save(upload.name or "upload", upload, save=False)
    job.save()
    _audit(
        actor=by,
        action="import.request",
        target=job,
        changes={"kind": kind, "file": job.filename, "mode": mode},
    )
    transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: ImportJob) -> None:
    from .tasks import run_import

    JOBS.enqueue(job, run_import)


class _ProgressWriter:
    """Writes the job's progress where the page can read it while the import runs.

    An import is one transaction, so a progress row written on its own connection would
    stay invisible until the end: on PostgreSQL the writer keeps a second connection in
    autocommit. SQLite has one writer at a time (and the tests' in-memory database is one
    connection), so there the row is written on the import's connection and shows at the
    end of each transaction-free step only."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.side = connections.create_connection("default") if _side_connection() else None
        self.last = (None, 0.0)

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        last_stage, last_at = self.last
        if stage == last_stage and now - last_at < PROGRESS_EVERY_SECONDS and done != total:
            return
        self.last = (stage, now)
        self.write(stage=stage[:16], rows_done=max(done, 0), rows_total=max(total, 0))

    def write(self, **values) -> None:
        if self.side is None:
            ImportJob.objects.filter(pk=self.job_id).update(**values)
            return
        columns = ", ".join(f"{connection.ops.quote_name(k)} = %s" for k in values)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET {columns} WHERE id = %s",
                [*values.values(), self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _side_connection() -> bool:
    return connection.vendor == "postgresql"


def import_run(*, job_id: int) -> str:
    """Run the job's import (the worker's task). A rerun after a worker died starts over
    (the killed run's transaction left nothing); a finished job is left as it is."""
    job, skipped = JOBS.start(job_id, started_at=timezone.now(), rows_done=0, rows_total=0)
    if job is None:
        return skipped
    spec = get_kind(job.kind)
    progress = _ProgressWriter(job.pk)
    status, result, error = ImportJob.Status.FAILED, {}, ""
    try:
        if spec is None:
            raise LookupError(f"unknown import kind {job.kind}")
        if job.owner.jurisdiction_id != job.jurisdiction_id or not job.owner.is_active:
            error = _(
                "Tài khoản đã đổi địa bàn hoặc bị khóa từ khi tải tệp lên: tệp không được nhập."
            )
        elif not job.owner.has_role(*spec.roles):
            error = _("Tài khoản không còn quyền nhập tệp này: tệp không được nhập.")
        else:
            with job.upload.open("rb") as handle:
                upload = UploadedFile(handle, name=job.filename, size=job.upload.size)
                outcome = spec.run(
                    by=job.owner,
                    upload=upload,
                    mode=job.mode,
                    max_rows=spec.max_rows,
                    max_bytes=spec.max_bytes,
                    progress=progress,
                )
            result = {
                **spec.counts(outcome),
                "refusal": str(outcome.refusal or ""),
                "errors": outcome.errors.as_dict(),
            }
            status = ImportJob.Status.REFUSED if outcome.refused else ImportJob.Status.DONE
    except FileRefused as exc:
        status, result = ImportJob.Status.REFUSED, {"refusal": " ".join(exc.messages)}
    except Exception:
        logger.exception("import %s (%s) failed", job.pk, job.kind)
        error = _("Không nhập được tệp; hãy thử lại hoặc báo quản trị hệ thống.")
    finally:
        progress.close()
    _finish(job, status=status, result=result, error=error)
    return status


def _finish(job: ImportJob, *, status: str, result: dict | None = None, error: str = "") -> None:
    """Record the end of the run and delete the stored upload, whatever the outcome."""
    name = job.upload.name
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        result=result or {},
        error=str(error)[:200],
        upload="",
        finished_at=timezone.now(),
    )
    if name:
        try:
            job.upload.storage.delete(name)
        except OSError:  # gone already (a second reconcile): nothing left to delete
            logger.warning("import %s: stored upload %s already removed", job.pk, name)


def _reconcile(job: ImportJob) -> ImportJob:
    """A job whose task the reaper gave up on (its worker died on every attempt) is shown
    failed, and its upload removed, the first time anyone reads it."""
    if not JOBS.worker_gave_up(job):
        return job
    _finish(
        job,
        status=ImportJob.Status.FAILED,
        error=_("Tiến trình nhập bị dừng giữa chừng; không dòng nào được ghi. Hãy nhập lại."),
    )
    job.refresh_from_db()
    return job


def import_for(user, pk: int) -> ImportJob | None:
    """The user's own job inside the jurisdiction they uploaded it under, or None."""
    job = JOBS.for_user(user, pk)
    return _reconcile(job) if job else None


def import_report_read(*, by, job: ImportJob) -> None:
    """Opening a finished job's report (its line errors quote the file's cells) is a read
    in the audit log, once per reader and job within AUDIT_READ_REPEAT_SECONDS."""
    from phongdich.audit.services import audit_read

    audit_read(actor=by, target=job, action="import.report")
