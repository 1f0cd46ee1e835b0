"""Background XLSX exports (lib.exports): asking for one, building it in the worker,
downloading it, and removing expired files. Kept beside the audit services because each
download is an audited read."""

import hashlib
import json
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.lib import exports as registry
from phongdich.lib.jobs import OwnedJobs
from phongdich.lib.xlsx import write_sheets

from .models import AuditEvent, Export
from .services import audit_record

logger = logging.getLogger(__name__)

# A user's exports still being built at once: each holds a worker for seconds to minutes.
MAX_UNFINISHED_PER_USER = 3
UNFINISHED = (Export.Status.QUEUED, Export.Status.RUNNING)
JOBS = OwnedJobs(
    model=Export,
    lock_name="export",
    unfinished=UNFINISHED,
    max_unfinished=MAX_UNFINISHED_PER_USER,
)


def keep_for() -> timedelta:
    return timedelta(hours=getattr(settings, "EXPORT_KEEP_HOURS", 24))


def _params_key(kind: str, params: dict) -> str:
    plain = json.dumps(params, sort_keys=True, cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{kind}|{plain}".encode()).hexdigest()[:32]


@transaction.atomic
def export_request(*, by, kind: str, params: dict) -> Export:
    """Ask the worker for an export of `kind` with the page's filters `params`. Asking again
    for the same export while it is being built (a double click, two tabs at once) returns
    the one already asked for; at most MAX_UNFINISHED_PER_USER are built at once."""
    spec = registry.get_kind(kind)
    if spec is None or not by.has_role(*spec.roles):
        raise ValidationError(_("Bạn không có quyền xuất tệp này."))
    params = json.loads(json.dumps(params, cls=DjangoJSONEncoder))
    # One owner's requests are serialised, so the "already asked" check and the insert
    # cannot interleave (an advisory lock on PostgreSQL; SQLite has one writer anyway).
    unfinished = list(JOBS.lock_unfinished(by))
    same = [e for e in unfinished if _params_key(e.kind, e.params) == _params_key(kind, params)]
    if same:
        return same[0]
    JOBS.refuse_when_full(
        len(unfinished),
        _("Bạn đang có %(n)s tệp đang được tạo; hãy chờ một tệp xong rồi xuất tiếp."),
    )
    export = Export.objects.create(owner=by, kind=kind, params=params)
    audit_record(actor=by, action="export.request", target=export, changes={"kind": kind, **params})
    transaction.on_commit(lambda: _enqueue(export))
    return export


def _enqueue(export: Export) -> None:
    from .tasks import run_export

    JOBS.enqueue(export, run_export)


def export_run(*, export_id: int) -> str:
    """Build the file (the worker's job). A rerun after a worker died starts over; a finished
    export is left as it is."""
    export, skipped = JOBS.start(export_id, rows_done=0)
    if export is None:
        return skipped
    spec = registry.get_kind(export.kind)
    try:
        if spec is None:
            raise LookupError(f"unknown export kind {export.kind}")
        total = min(spec.estimate(export.owner, export.params), spec.max_rows)
        Export.objects.filter(pk=export.pk).update(rows_total=total)
        sheets = [
            (title, header, registry.capped(rows, spec.max_rows))
            for title, header, rows in spec.sheets(export.owner, export.params)
        ]
        with tempfile.TemporaryFile(suffix=".xlsx") as handle:
            written = write_sheets(
                handle,
                sheets,
                progress=lambda n: Export.objects.filter(pk=export.pk).update(rows_done=n),
            )
            handle.seek(0)
            export.file.save("export.xlsx", File(handle), save=False)
    except Exception:
        logger.exception("export %s (%s) failed", export.pk, export.kind)
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED,
            error=_("Không tạo được tệp; hãy thử lại hoặc báo quản trị hệ thống.")[:200],
            finished_at=timezone.now(),
        )
        return Export.Status.FAILED
    now = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE,
        file=export.file.name,
        filename=spec.filename(export.params)[:150],
        rows_done=written,
        rows_total=max(written, 0),
        finished_at=now,
        expires_at=now + keep_for(),
    )
    return Export.Status.DONE


def export_for(user, pk: int) -> Export | None:
    """The user's own export, or None: nobody else's file is reachable, not even an admin's
    colleague's (they ask for their own, scoped to them)."""
    return JOBS.for_user(user, pk)


def export_available(export: Export, *, now=None) -> bool:
    now = now or timezone.now()
    return (
        export.status == Export.Status.DONE
        and bool(export.file)
        and export.expires_at is not None
        and export.expires_at > now
    )


def export_download(*, by, export: Export):
    """Open the file for its owner, recording the read (one event per download)."""
    if export.owner_id != by.pk or not export_available(export):
        raise ValidationError(_("Tệp không còn để tải về; hãy xuất lại."))
    audit_record(
        actor=by,
        action="export.download",
        target=export,
        kind=AuditEvent.Kind.READ,
        changes={"kind": export.kind, "rows": export.rows_done},
    )
    return export.file.open("rb")


def export_prune(*, now=None) -> int:
    """Remove the files of expired exports (the scheduler's audit.prune_exports); the row
    stays, marked expired, so the owner's list says what happened."""
    now = now or timezone.now()
    removed = 0
    for export in Export.objects.filter(status=Export.Status.DONE, expires_at__lte=now):
        if export.file:
            export.file.delete(save=False)
        removed += Export.objects.filter(pk=export.pk, status=Export.Status.DONE).update(
            status=Export.Status.EXPIRED, file=""
        )
    return removed
