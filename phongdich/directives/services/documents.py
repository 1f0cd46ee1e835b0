"""Directive documents: import, extraction in the background, draft edits and confirmation
into tasks."""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency

from .. import directory, rules
from ..extraction import extract_document, normalize_text
from ..extraction.readers import UnsupportedDocument, read_document
from ..models import (
    Document,
    OrgUnit,
    Task,
    TaskAssignment,
    TaskIndicator,
    UnitProposal,
    unit_key,
)
from ..overview import figures_changed

log = logging.getLogger(__name__)


# Files above this size are read by the background job rather than in the request.
INLINE_MAX_BYTES = 300_000


MAX_UPLOAD_BYTES = 10_000_000


KINDS = {value for value, _label in Document.Kind.choices}


def _document_title(data: dict) -> str:
    label = dict(Document.Kind.choices).get(data.get("kind") or "", _("Văn bản"))
    parts = [str(label)]
    if data.get("number"):
        parts.append(f"số {data['number']}")
    if data.get("issuer"):
        parts.append(data["issuer"])
    when = data.get("meeting_date") or data.get("issued_date")
    if when:
        parts.append(_("ngày %(date)s") % {"date": date.fromisoformat(when).strftime("%d/%m/%Y")})
    return " ".join(parts)[:300]


@idempotency.submitted_once(Document)
@transaction.atomic
def document_import(
    *,
    by,
    text: str = "",
    upload=None,
    background: bool | None = None,
    submission: idempotency.Submission | None = None,
) -> Document:
    """Store the document and extract its tasks: inline for ordinary files, or by the
    background job for big ones (`background=None` decides by size). The same submission
    sent twice (a double click on a slow upload) is one document, read once."""
    if upload is None and not (text or "").strip():
        raise ValidationError(_("Hãy chọn tệp hoặc dán nội dung văn bản."))
    document = Document(
        created_by=by, status=Document.Status.EXTRACTING, **idempotency.fields(submission)
    )
    size = len(text.encode())
    if upload is not None:
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in (".txt", ".docx", ".pdf"):
            raise ValidationError(_("Chỉ nhận tệp .txt, .docx hoặc .pdf."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("Tệp quá lớn (tối đa 10 MB)."))
        document.source_name = upload.name[:200]
        document.source_file.save(upload.name, upload, save=False)
        size = upload.size
    else:
        document.source_name = _("Văn bản dán vào")
        document.text = normalize_text(text)
        document.source_file.save("pasted.txt", ContentFile(text.encode()), save=False)
    document.save()
    audit_record(
        actor=by,
        action="directives.document_import",
        target=document,
        changes={"source": document.source_name, "bytes": size},
    )
    if background is None:
        background = size > INLINE_MAX_BYTES
    if background:
        transaction.on_commit(lambda: _extract_enqueue(document))
    else:
        document_extract(document=document)
    return document


def _extract_enqueue(document: Document) -> None:
    """After commit, so the worker never picks up a job for a document it cannot see yet."""
    from ..tasks import extract_document_job

    result = extract_document_job.enqueue(document.pk)
    if getattr(result, "db_result", None) is not None:  # the database queue: follow the job
        Document.objects.filter(pk=document.pk).update(extract_job_id=result.id)
        document.extract_job_id = result.id


@transaction.atomic
def document_extract_retry(*, by, document: Document) -> Document:
    """Read a document again after its background reading failed ("Thử lại")."""
    if document.status != Document.Status.FAILED:
        raise ValidationError(_("Văn bản này không ở trạng thái đọc lỗi."))
    if not document.source_file:
        raise ValidationError(_("Không còn tệp gốc để đọc lại; hãy nhập lại văn bản."))
    claimed = Document.objects.filter(pk=document.pk, status=Document.Status.FAILED).update(
        status=Document.Status.EXTRACTING, error=""
    )
    if not claimed:  # a second click, or another clerk, was first
        raise ValidationError(_("Văn bản này đang được đọc lại."))
    document.refresh_from_db()
    audit_record(
        actor=by,
        action="directives.document_extract_retry",
        target=document,
        changes={"previous_job": str(document.extract_job_id or "")},
    )
    transaction.on_commit(lambda: _extract_enqueue(document))
    return document


def document_extract_given_up(*, document_id: int, worker_lost: bool) -> bool:
    """The background job ended in failure without storing a result (its worker died on
    every attempt, or it crashed outside the extractor): show the document as failed."""
    if worker_lost:
        message = _(
            "Tiến trình nền dừng đột ngột nhiều lần khi đang đọc văn bản này. Hãy thử lại; "
            "nếu vẫn lỗi, hãy báo quản trị hệ thống."
        )
    else:
        message = _("Không tự đọc được văn bản này; hãy báo quản trị hệ thống.")
    return bool(
        Document.objects.filter(pk=document_id, status=Document.Status.EXTRACTING).update(
            status=Document.Status.FAILED, error=message[:300]
        )
    )


def document_extract(*, document: Document) -> Document:
    """Read the source, run the extractor and store a draft. Failures are stored, not raised,
    so the progress page can show them."""
    try:
        raw = read_document(document.source_file.path)
        if not raw.strip():
            raise UnsupportedDocument(_("Tệp không có chữ (bản scan cần nhận dạng chữ trước)."))
        extraction = extract_document(raw)
    except (OSError, UnsupportedDocument, ValueError) as exc:
        return _extraction_failed(document, str(exc))
    except Exception:  # an extractor bug on an odd document must not lose the upload
        log.exception("directive extraction failed for document %s", document.pk)
        return _extraction_failed(
            document, _("Không tự đọc được văn bản này; hãy báo quản trị hệ thống.")
        )
    _apply_extraction(document, normalize_text(raw), extraction)
    return document


def _extraction_failed(document: Document, message: str) -> Document:
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.FAILED, error=message[:300]
    )
    document.refresh_from_db()
    return document


@transaction.atomic
def _apply_extraction(document: Document, text: str, extraction: dict) -> None:
    meta = extraction["document"]
    document.text = text
    document.kind = meta.get("kind") or ""
    document.issuer = meta.get("issuer") or ""
    document.province = meta.get("province") or ""
    document.meeting_date = _iso(meta.get("meeting_date"))
    document.issued_date = _iso(meta.get("issued_date"))
    document.number = meta.get("number") or ""
    document.signer = meta.get("signer") or ""
    document.signer_title = meta.get("signer_title") or ""
    document.replaces = meta.get("replaces") or []
    document.references = extraction.get("references") or []
    document.title = _document_title(meta)
    document.status = Document.Status.DRAFT
    document.error = ""
    document.save()
    document.tasks.all().delete()
    cache: dict = {}
    for position, item in enumerate(extraction["tasks"], start=1):
        start, end = item.get("span") or (None, None)
        body = text[start:end].strip() if start is not None else ""
        task = Task.objects.create(
            document=document,
            position=position * 10,
            ref=(item.get("ref") or "")[:40],
            label=(item.get("label") or rules.label_as_written(text, start))[:40],
            recurrence=rules.recurrence_of(body or item.get("summary") or ""),
            summary=(item.get("summary") or "")[:400],
            text=body or item.get("summary") or "",
            span_start=start,
            span_end=end,
            deadline=_iso(item.get("deadline")),
            deadline_text=(item.get("deadline_text") or "")[:200],
        )
        for role, names in (
            (TaskAssignment.Role.LEAD, item.get("lead") or []),
            (TaskAssignment.Role.COORDINATING, item.get("coordinating") or []),
        ):
            for name in names:
                _assign(document, task, role, name, cache)


def _iso(value):
    return date.fromisoformat(value) if value else None


def _assign(document, task, role, name, cache) -> TaskAssignment:
    """One assignment row per addressee as written; unknown specific names become proposals."""
    resolution = directory.resolve(name, cache=cache)
    unit = resolution.units[0] if len(resolution.units) == 1 and not resolution.is_group else None
    proposal = None
    if not resolution.resolved and not resolution.is_group and directory.names_a_body(name):
        key = unit_key(name)
        proposal, _created = UnitProposal.objects.get_or_create(
            key=key,
            defaults={"name": name[:300], "document": document, "is_person": resolution.is_person},
        )
        if proposal.status != UnitProposal.Status.PENDING:
            unit = proposal.unit
    return TaskAssignment.objects.create(
        task=task,
        role=role,
        name=name[:300],
        is_group=resolution.is_group,
        unit=unit,
        official=resolution.official,
        proposal=proposal,
    )


def _require_draft(task_or_document) -> None:
    document = getattr(task_or_document, "document", task_or_document)
    if document.status != Document.Status.DRAFT:
        raise ValidationError(_("Văn bản đã xác nhận; không sửa được nhiệm vụ ở bước rà soát."))


@transaction.atomic
def document_update(*, by, document: Document, **values) -> Document:
    allowed = {"title", "kind", "issuer", "meeting_date", "issued_date", "number", "signer"}
    changes = {}
    for field, value in values.items():
        if field not in allowed:
            raise ValueError(f"not editable: {field}")
        if getattr(document, field) != value:
            changes[field] = [str(getattr(document, field)), str(value)]
            setattr(document, field, value)
    if changes:
        document.save()
        audit_record(
            actor=by, action="directives.document_update", target=document, changes=changes
        )
    return document


@transaction.atomic
def document_confirm(*, by, document: Document) -> int:
    """Confirm the reviewed tasks and hand them out: each task stays one task, with one lead
    member per unit.

    A group addressee ("UBND các huyện, thị xã, thành phố") becomes one member row per unit
    of the group (its `group_name` keeps the group as written), so a notice to every district
    is one row in the clerk's list, with a status per district. Tasks without any lead unit
    (general calls, names still waiting on the clerk) stay with the clerk. Proposes a live
    indicator for each task whose wording names one (the clerk confirms it).
    Returns the number of confirmed tasks.
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_draft(document)
    cache: dict = {}
    created = 0
    for task in list(document.tasks.prefetch_related("assignments")):
        leads: list[tuple[TaskAssignment, OrgUnit | None]] = []
        for a in task.assignments.all():
            if a.role == TaskAssignment.Role.COORDINATING:
                continue
            if a.is_group and a.unit_id is None:
                leads += [(a, u) for u in directory.resolve(a.name, cache=cache).units]
            else:
                leads.append((a, a.unit))
        # One member per distinct unit, plus one per name still waiting on the clerk (a
        # proposal): accepting the proposal later gives that member its unit.
        seen: set[int] = set()
        keep: set[int] = set()
        members = []
        for a, unit in leads:
            if unit is not None and unit.pk not in seen:
                seen.add(unit.pk)
                if a.unit_id == unit.pk and a.pk not in keep:
                    keep.add(a.pk)
                else:
                    members.append(
                        TaskAssignment(
                            task=task,
                            role=TaskAssignment.Role.LEAD,
                            name=unit.name,
                            group_name=a.name[:300] if a.is_group else "",
                            unit=unit,
                            official=a.official,
                        )
                    )
            elif unit is None and a.proposal_id is not None:
                keep.add(a.pk)
        if keep or members:
            # The other lead rows are groups now spelled out, or names that are nobody in
            # particular ("(chung)", vague groups).
            task.assignments.filter(role=TaskAssignment.Role.LEAD).exclude(pk__in=keep).delete()
            TaskAssignment.objects.bulk_create(members)
        task.is_draft = False
        task.save(update_fields=["is_draft"])
        created += 1
        _propose_indicator(task)
    document.status = Document.Status.CONFIRMED
    document.confirmed_by, document.confirmed_at = by, timezone.now()
    document.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(
        actor=by, action="directives.document_confirm", target=document, changes={"tasks": created}
    )
    figures_changed()
    return created


def _propose_indicator(task: Task) -> None:
    proposal = rules.indicator_proposed(task.text)
    if proposal is not None:
        kind, words = proposal
        TaskIndicator.objects.get_or_create(task=task, defaults={"kind": kind, "rule": words})
