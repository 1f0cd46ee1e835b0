"""Writes on directives: the unit directory, import, review, confirmation and follow-up."""

import logging
import re
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import idempotency
from phongdich.lib.urls import absolute_url

from . import directory
from .extraction import extract_document, normalize_text
from .extraction.readers import UnsupportedDocument, read_document
from .models import (
    Document,
    Official,
    OfficialAlias,
    OrgUnit,
    OrgUnitAlias,
    ProgressReport,
    ReminderSent,
    ReportAttachment,
    ReporterMembership,
    ReviewAction,
    Task,
    TaskAssignment,
    UnitProposal,
    unit_key,
)

log = logging.getLogger(__name__)

# Files above this size are read by the background job rather than in the request.
INLINE_MAX_BYTES = 300_000
MAX_UPLOAD_BYTES = 10_000_000
KINDS = {value for value, _label in Document.Kind.choices}


# --- Unit directory -------------------------------------------------------------------------


@transaction.atomic
def units_seed(*, by, province: AdminUnit) -> dict:
    """Seed the directory: the usual provincial bodies, then 'UBND <name>' for every district
    and commune of `province` present in geo. Idempotent: existing units are kept."""
    counts = {"bodies": 0, "districts": 0, "communes": 0}
    known_keys = set(OrgUnitAlias.objects.values_list("key", flat=True))
    for name, kind, aliases in directory.PROVINCIAL_BODIES:
        if unit_key(name) in known_keys:
            continue
        unit = directory.add_unit(name, kind, aliases, admin_unit=province)
        known_keys.update(a.key for a in unit.aliases.all())
        counts["bodies"] += 1
    linked = set(
        OrgUnit.objects.filter(admin_unit__isnull=False).values_list("admin_unit_id", flat=True)
    )
    districts = list(
        AdminUnit.objects.filter(parent=province, kind=AdminUnit.Kind.DISTRICT).order_by("path")
    )
    new_districts = [
        OrgUnit(name=f"UBND {d.name}", kind=OrgUnit.Kind.DISTRICT, admin_unit=d)
        for d in districts
        if d.pk not in linked
    ]
    OrgUnit.objects.bulk_create(new_districts)
    counts["districts"] = len(new_districts)
    by_admin = {
        u.admin_unit_id: u
        for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT, admin_unit__in=districts)
    }
    communes = list(
        AdminUnit.objects.filter(
            path__startswith=province.path, kind=AdminUnit.Kind.COMMUNE
        ).select_related("parent")
    )
    new_communes = [
        OrgUnit(
            name=f"UBND {c.name}",
            kind=OrgUnit.Kind.COMMUNE,
            admin_unit=c,
            parent=by_admin.get(c.parent_id),
        )
        for c in communes
        if c.pk not in linked
    ]
    OrgUnit.objects.bulk_create(new_communes, batch_size=500)
    counts["communes"] = len(new_communes)
    # Aliases in one pass; a name two communes share keeps only its "…, <district>" form.
    aliases = []
    new_ids = [u.admin_unit_id for u in new_districts + new_communes]
    for unit in OrgUnit.objects.filter(admin_unit_id__in=new_ids).select_related(
        "admin_unit__parent"
    ):
        place = unit.admin_unit
        texts = [unit.name, f"Ủy ban nhân dân {place.name}"]
        if unit.kind == OrgUnit.Kind.DISTRICT:
            texts.append(place.name)
        else:
            texts = [f"{t}, {place.parent.name}" for t in texts] + texts
        for text in texts:
            key = unit_key(text)
            if key not in known_keys:
                known_keys.add(key)
                aliases.append(OrgUnitAlias(unit=unit, text=text, key=key))
    OrgUnitAlias.objects.bulk_create(aliases, batch_size=1000)
    audit_record(actor=by, action="directives.units_seed", target=province, changes=counts)
    return counts


@transaction.atomic
def unit_alias_add(*, by, unit: OrgUnit, text: str) -> OrgUnitAlias:
    key = unit_key(text)
    if not key:
        raise ValidationError(_("Tên gọi trống."))
    if OrgUnitAlias.objects.filter(key=key).exists():
        raise ValidationError(_("Tên gọi này đã thuộc về một đơn vị."))
    alias = OrgUnitAlias.objects.create(unit=unit, text=text.strip())
    _attach_pending(key, unit)
    audit_record(actor=by, action="directives.alias_add", target=unit, changes={"alias": text})
    return alias


def _attach_pending(key: str, unit: OrgUnit, official: Official | None = None) -> None:
    """Assignments that were waiting on this name now point at the unit."""
    for proposal in UnitProposal.objects.filter(key=key, status=UnitProposal.Status.PENDING):
        proposal.assignments.filter(unit__isnull=True).update(unit=unit, official=official)


def _proposal_locked(proposal: UnitProposal) -> UnitProposal:
    # Re-read under the row lock: two clerks (or one double click) resolving the same name
    # at once would otherwise both see it pending and create two units for it.
    return UnitProposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def proposal_accept(*, by, proposal: UnitProposal, name: str, kind: str) -> OrgUnit:
    """Create the proposed unit (clerk may tidy its name) with the proposed text as alias."""
    proposal = _proposal_locked(proposal)
    if proposal.status != UnitProposal.Status.PENDING:
        raise ValidationError(_("Đề xuất này đã được xử lý."))
    if kind not in OrgUnit.Kind.values:
        raise ValidationError(_("Loại đơn vị không hợp lệ."))
    unit = directory.add_unit(name.strip() or proposal.name, kind, [proposal.name])
    proposal.assignments.filter(unit__isnull=True).update(unit=unit)
    proposal.status, proposal.unit = UnitProposal.Status.ACCEPTED, unit
    proposal.save(update_fields=["status", "unit"])
    audit_record(actor=by, action="directives.proposal_accept", target=unit)
    return unit


@transaction.atomic
def proposal_map(*, by, proposal: UnitProposal, unit: OrgUnit) -> UnitProposal:
    """The name is another way of writing an existing unit (or a person who reports via it)."""
    proposal = _proposal_locked(proposal)
    if proposal.status != UnitProposal.Status.PENDING:
        raise ValidationError(_("Đề xuất này đã được xử lý."))
    official = None
    if proposal.is_person:
        name = re.sub(r"^(?:đồng chí|Đồng chí|ông|bà|Giáo sư|GS\.?)\s+", "", proposal.name)
        official = directory.add_official(name, "", unit, [proposal.name])
    elif not OrgUnitAlias.objects.filter(key=proposal.key).exists():
        OrgUnitAlias.objects.create(unit=unit, text=proposal.name)
    proposal.assignments.filter(unit__isnull=True).update(unit=unit, official=official)
    proposal.status, proposal.unit = UnitProposal.Status.MAPPED, unit
    proposal.save(update_fields=["status", "unit"])
    audit_record(
        actor=by, action="directives.proposal_map", target=proposal, changes={"unit": unit.pk}
    )
    return proposal


@transaction.atomic
def proposal_ignore(*, by, proposal: UnitProposal) -> UnitProposal:
    proposal.status = UnitProposal.Status.IGNORED
    proposal.save(update_fields=["status"])
    audit_record(actor=by, action="directives.proposal_ignore", target=proposal)
    return proposal


@transaction.atomic
def membership_add(*, by, user, unit: OrgUnit) -> ReporterMembership:
    if not user.has_role(Role.UNIT_REPORTER):
        raise ValidationError(_("Chỉ gán được tài khoản có vai trò báo cáo của đơn vị."))
    # A district's reporter must not end up reporting for another district: the unit's
    # place has to lie inside the account's jurisdiction.
    if unit.admin_unit_id and not unit.admin_unit.is_within(user.jurisdiction):
        raise ValidationError(_("Đơn vị này nằm ngoài địa bàn của tài khoản."))
    membership, _created = ReporterMembership.objects.get_or_create(user=user, unit=unit)
    audit_record(
        actor=by, action="directives.membership_add", target=unit, changes={"user": user.pk}
    )
    return membership


@transaction.atomic
def membership_link_by_organisation(*, by, user) -> ReporterMembership | None:
    """Link a reporter to the unit their free-text `organisation` names, if it resolves."""
    alias = OrgUnitAlias.objects.filter(key=unit_key(user.organisation or "")).first()
    if alias is None:
        return None
    return membership_add(by=by, user=user, unit=alias.unit)


# --- Import and extraction --------------------------------------------------------------------


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
    from .tasks import extract_document_job

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


# --- Review (draft) ---------------------------------------------------------------------------


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


def _parse_names(value: str) -> list[str]:
    return [n.strip() for n in re.split(r"[;\n]", value or "") if n.strip()]


@transaction.atomic
def task_update(
    *,
    by,
    task: Task,
    text: str,
    deadline: date | None,
    deadline_text: str = "",
    lead_units=(),
    coordinating_units=(),
    lead_names: str = "",
    coordinating_names: str = "",
) -> Task:
    """The clerk's correction of a draft task. Units chosen from the directory replace the
    extracted ones; names typed in are resolved like extracted names (unknown → proposal)."""
    _require_draft(task)
    if not text.strip():
        raise ValidationError({"text": _("Nội dung nhiệm vụ không được trống.")})
    changes = {}
    if task.text != text.strip():
        changes["text"] = True
        task.text = text.strip()
        task.summary = task.text[:200] + ("…" if len(task.text) > 200 else "")
    if task.deadline != deadline or task.deadline_text != deadline_text:
        changes["deadline"] = [str(task.deadline), str(deadline)]
        task.deadline, task.deadline_text = deadline, deadline_text[:200]
    task.save()
    cache: dict = {}
    for role, units, names in (
        (TaskAssignment.Role.LEAD, lead_units, lead_names),
        (TaskAssignment.Role.COORDINATING, coordinating_units, coordinating_names),
    ):
        before = sorted(str(a) for a in task.assignments.filter(role=role))
        task.assignments.filter(role=role).delete()
        for unit in units:
            TaskAssignment.objects.create(task=task, role=role, name=unit.name, unit=unit)
        chosen = {unit_key(u.name) for u in units}
        for name in _parse_names(names):
            if unit_key(name) not in chosen:
                _assign(task.document, task, role, name, cache)
        after = sorted(str(a) for a in task.assignments.filter(role=role))
        if before != after:
            changes[role] = after
    if changes:
        audit_record(actor=by, action="directives.task_update", target=task, changes=changes)
    return task


def sentence_breaks(text: str) -> list[int]:
    """Offsets after each sentence (or bullet) where a task's text may be split."""
    breaks = [m.end() for m in re.finditer(r"[.;:]\s+(?=\S)|\n+(?=\S)", text)]
    return [b for b in breaks if 0 < b < len(text.rstrip())]


@transaction.atomic
def task_split(*, by, task: Task, at: int) -> Task:
    """Cut a draft task in two at offset `at` of its text; both keep its units and deadline."""
    _require_draft(task)
    if not 0 < at < len(task.text):
        raise ValidationError(_("Vị trí tách không hợp lệ."))
    first, second = task.text[:at].strip(), task.text[at:].strip()
    if not first or not second:
        raise ValidationError(_("Vị trí tách không hợp lệ."))
    Task.objects.filter(document=task.document, position__gt=task.position).update(
        position=F("position") + 10
    )
    new = Task.objects.create(
        document=task.document,
        position=task.position + 5,
        ref=(task.ref + "#t")[:40],
        summary=second[:200],
        text=second,
        span_start=_shift(task, at),
        span_end=task.span_end,
        deadline=task.deadline,
        deadline_text=task.deadline_text,
    )
    TaskAssignment.objects.bulk_create(
        [
            TaskAssignment(
                task=new,
                role=a.role,
                name=a.name,
                is_group=a.is_group,
                unit=a.unit,
                official=a.official,
                proposal=a.proposal,
            )
            for a in task.assignments.all()
        ]
    )
    task.text, task.summary = first, first[:200]
    if task.span_start is not None:
        task.span_end = _shift(task, at)
    task.save()
    audit_record(actor=by, action="directives.task_split", target=task, changes={"new": new.pk})
    return new


def _shift(task: Task, at: int) -> int | None:
    """Offset in the document of offset `at` in the task text (text is the span, stripped)."""
    if task.span_start is None:
        return None
    document_text = task.document.text
    found = document_text.find(task.text[:40], task.span_start, task.span_end or None)
    base = found if found >= 0 else task.span_start
    return min(base + at, task.span_end or base + at)


@transaction.atomic
def task_merge(*, by, task: Task, other: Task) -> Task:
    """Append `other` (another draft task of the same document) to `task` and delete it."""
    _require_draft(task)
    if other.document_id != task.document_id or other.pk == task.pk:
        raise ValidationError(_("Chỉ gộp được hai nhiệm vụ của cùng văn bản."))
    task.text = f"{task.text}\n{other.text}"
    task.summary = task.summary or task.text[:200]
    spans = [s for s in (task.span_start, other.span_start) if s is not None]
    ends = [e for e in (task.span_end, other.span_end) if e is not None]
    task.span_start = min(spans) if spans else None
    task.span_end = max(ends) if ends else None
    deadlines = [d for d in (task.deadline, other.deadline) if d]
    if deadlines and min(deadlines) != task.deadline:
        task.deadline = min(deadlines)
        task.deadline_text = other.deadline_text
    task.save()
    have = {(a.role, a.unit_id, a.name) for a in task.assignments.all()}
    for a in other.assignments.all():
        if (a.role, a.unit_id, a.name) not in have:
            a.pk, a.task = None, task
            a.save()
    audit_record(
        actor=by, action="directives.task_merge", target=task, changes={"merged": other.pk}
    )
    other.delete()
    return task


@transaction.atomic
def task_delete(*, by, task: Task) -> None:
    _require_draft(task)
    audit_record(actor=by, action="directives.task_delete", target=task, changes={"ref": task.ref})
    task.delete()


@transaction.atomic
def document_confirm(*, by, document: Document) -> int:
    """Confirm the reviewed tasks and fan them out: one task per lead unit.

    A group addressee becomes its member units; a task with several leads becomes one task
    per lead, each with the same coordinating units. Tasks without any lead unit (general
    calls, names still waiting on the clerk) stay as one task for the clerk to follow.
    Returns the number of tasks the units received.
    """
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require_draft(document)
    cache: dict = {}
    created = 0
    for task in list(document.tasks.prefetch_related("assignments")):
        leads: list[tuple[TaskAssignment, OrgUnit | None]] = []
        coordinating: list[TaskAssignment] = []
        for a in task.assignments.all():
            if a.role == TaskAssignment.Role.COORDINATING:
                coordinating.append(a)
            elif a.is_group and a.unit_id is None:
                leads += [(a, u) for u in directory.resolve(a.name, cache=cache).units]
            else:
                leads.append((a, a.unit))
        # One target per distinct unit, plus one per name still waiting on the clerk (a
        # proposal): accepting the proposal later gives that task its unit.
        seen: set[int] = set()
        per_unit = []
        for a, unit in leads:
            if unit is not None and unit.pk not in seen:
                seen.add(unit.pk)
                per_unit.append((a, unit))
            elif unit is None and a.proposal_id is not None:
                per_unit.append((a, None))
        if len(per_unit) <= 1:
            if per_unit:
                a, unit = per_unit[0]
                # Other lead rows are names that are nobody in particular ("(chung)", vague
                # groups); the one target leads alone.
                task.assignments.filter(role=TaskAssignment.Role.LEAD).exclude(pk=a.pk).delete()
                if unit is not None and a.unit_id != unit.pk:
                    a.unit = unit
                    a.save(update_fields=["unit"])
            task.is_draft = False
            task.save(update_fields=["is_draft"])
            created += 1
            continue
        rows = []
        for a, unit in per_unit:
            child = Task.objects.create(
                document=document,
                origin=task,
                position=task.position,
                ref=task.ref,
                summary=task.summary,
                text=task.text,
                span_start=task.span_start,
                span_end=task.span_end,
                deadline=task.deadline,
                deadline_text=task.deadline_text,
                is_draft=False,
            )
            rows.append(
                TaskAssignment(
                    task=child,
                    role=TaskAssignment.Role.LEAD,
                    name=a.name,
                    is_group=a.is_group,
                    unit=unit,
                    official=a.official,
                    proposal=a.proposal if unit is None else None,
                )
            )
            rows += [
                TaskAssignment(
                    task=child,
                    role=c.role,
                    name=c.name,
                    is_group=c.is_group,
                    unit=c.unit,
                    official=c.official,
                    proposal=c.proposal,
                )
                for c in coordinating
            ]
            created += 1
        TaskAssignment.objects.bulk_create(rows)
        # The draft item stays (is_draft) as the record of what the document said; every
        # list and count reads only confirmed tasks.
    document.status = Document.Status.CONFIRMED
    document.confirmed_by, document.confirmed_at = by, timezone.now()
    document.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(
        actor=by, action="directives.document_confirm", target=document, changes={"tasks": created}
    )
    return created


# --- Follow-up ------------------------------------------------------------------------------


@transaction.atomic
def task_assign_lead(*, by, task: Task, unit: OrgUnit) -> Task:
    """Give a confirmed task that no unit leads (a general call, a name nobody resolved) to a
    unit, so it reaches that unit's reporters."""
    if task.is_draft:
        raise ValidationError(_("Nhiệm vụ chưa được xác nhận."))
    if task.assignments.filter(role=TaskAssignment.Role.LEAD, unit__isnull=False).exists():
        raise ValidationError(_("Nhiệm vụ đã có đơn vị chủ trì."))
    task.assignments.filter(role=TaskAssignment.Role.LEAD).delete()
    TaskAssignment.objects.create(
        task=task, role=TaskAssignment.Role.LEAD, name=unit.name, unit=unit
    )
    audit_record(actor=by, action="directives.task_assign", target=task, changes={"unit": unit.pk})
    return task


REPORTABLE = (Task.Status.IN_PROGRESS, Task.Status.REPORTED_DONE)


@idempotency.submitted_once(ProgressReport)
@transaction.atomic
def task_report(
    *,
    by,
    task: Task,
    unit: OrgUnit,
    status: str,
    text: str,
    files=(),
    submission: idempotency.Submission | None = None,
) -> ProgressReport:
    """A unit reports progress on its own task (the caller has checked the unit is a lead).
    The same submission sent twice is one report, with its attachments stored once."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_draft or task.status == Task.Status.ACCEPTED:
        raise ValidationError(_("Nhiệm vụ đã hoàn thành, không báo cáo thêm được."))
    if status not in REPORTABLE:
        raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
    if status == Task.Status.REPORTED_DONE and not text.strip():
        raise ValidationError({"text": _("Hãy nêu kết quả khi báo cáo hoàn thành.")})
    report = ProgressReport.objects.create(
        task=task,
        unit=unit,
        status=status,
        text=text.strip(),
        by=by,
        **idempotency.fields(submission),
    )
    for upload in files:
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("Tệp đính kèm quá lớn (tối đa 10 MB)."))
        ReportAttachment.objects.create(report=report, file=upload, name=upload.name[:200])
    task.status = status
    task.completed_at = report.at if status == Task.Status.REPORTED_DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(actor=by, action="directives.task_report", target=task, changes={"status": status})
    return report


@transaction.atomic
def task_review(*, by, task: Task, accept: bool, comment: str = "") -> ReviewAction:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != Task.Status.REPORTED_DONE:
        raise ValidationError(_("Chỉ duyệt được nhiệm vụ đơn vị đã báo cáo hoàn thành."))
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Hãy ghi lý do trả lại.")})
    verdict = ReviewAction.Verdict.ACCEPT if accept else ReviewAction.Verdict.RETURN
    action = ReviewAction.objects.create(task=task, verdict=verdict, comment=comment.strip(), by=by)
    if accept:
        task.status = Task.Status.ACCEPTED
    else:
        task.status, task.completed_at = Task.Status.RETURNED, None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(actor=by, action=f"directives.task_{verdict}", target=task)
    return action


# --- Reminders ------------------------------------------------------------------------------


def reminder_days() -> int:
    return int(getattr(settings, "DIRECTIVES_REMINDER_DAYS", 3))


def reminders_send(*, today: date | None = None) -> dict:
    """Email each lead unit's reporters N days before a deadline and once it has passed.

    Each (task, kind) is claimed by inserting its ReminderSent row first; the unique
    constraint makes a second run (or a concurrent worker) skip it, and a failed send rolls
    the claim back so the next run tries again. Tasks whose unit has no reporter with an
    email are left unclaimed: a reporter linked later still gets the reminder.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=reminder_days())
    open_tasks = (
        Task.objects.filter(is_draft=False, deadline__isnull=False)
        .exclude(status__in=Task.DONE_STATUSES)
        .filter(deadline__lte=horizon)
        .select_related("document")
        .prefetch_related("assignments__unit__memberships__user")
    )
    sent = {"before": 0, "overdue": 0, "skipped": 0}
    for task in open_tasks:
        kind = ReminderSent.Kind.OVERDUE if task.deadline < today else ReminderSent.Kind.BEFORE
        emails = sorted(
            {
                m.user.email
                for a in task.assignments.all()
                if a.role == TaskAssignment.Role.LEAD and a.unit_id
                for m in a.unit.memberships.all()
                if m.user.email and m.user.is_active
            }
        )
        if not emails:
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(task=task, kind=kind, recipients=len(emails))
                _send_reminder(task, kind, emails)
        except IntegrityError:
            sent["skipped"] += 1
            continue
        sent[kind] += 1
    return sent


def _send_reminder(task: Task, kind: str, emails: list[str]) -> None:
    deadline = task.deadline.strftime("%d/%m/%Y")
    if kind == ReminderSent.Kind.OVERDUE:
        subject = _("[Quá hạn] Nhiệm vụ %(ref)s, hạn %(deadline)s")
    else:
        subject = _("[Sắp đến hạn] Nhiệm vụ %(ref)s, hạn %(deadline)s")
    subject = subject % {"ref": task.ref or task.pk, "deadline": deadline}
    body = "\n\n".join(
        [
            str(task.document),
            task.text[:1500],
            _("Thời hạn: %(deadline)s") % {"deadline": deadline},
            absolute_url(reverse("directives:task", args=[task.pk])),
        ]
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)


@idempotency.submitted_once(Official)
def official_add(
    *,
    by,
    name: str,
    title: str,
    org: OrgUnit | None,
    aliases=(),
    submission: idempotency.Submission | None = None,
) -> Official:
    """Add a named official; the same submission sent twice adds them once."""
    with transaction.atomic():
        official = directory.add_official(
            name, title, org, aliases, **idempotency.fields(submission)
        )
        if org is not None:
            for alias in OfficialAlias.objects.filter(official=official):
                _attach_pending(alias.key, org, official)
        audit_record(actor=by, action="directives.official_add", target=official)
    return official


def check_reporter_owns(user, task: Task) -> OrgUnit:
    """The unit through which `user` leads `task`; PermissionDenied otherwise."""
    units = set(user.directive_memberships.values_list("unit_id", flat=True))
    for a in task.assignments.all():
        if a.role == TaskAssignment.Role.LEAD and a.unit_id in units:
            return a.unit
    raise PermissionDenied
