"""Procurement dossiers: need → approved → contracted → delivered → paid.

Each step is taken once, forward only, under the dossier's row lock: a double click or two
officers advancing at once give one step and a clear "already" for the other. Every step is
audited. The public summary (selectors below) carries no personal data."""

from datetime import date
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.text import nfc

from .models import Item, Procurement, ProcurementDocument

S = Procurement.Status
OFFICER_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)
READER_ROLES = (*OFFICER_ROLES, Role.COMMITTEE_MEMBER)
# A scanned decision or contract; bigger files belong in the document system.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx")
AMOUNT_MAX = 10**13  # ten thousand billion đồng: past any province purchase, keeps typos out


@idempotency.submitted_once(Procurement)
@transaction.atomic
def procurement_create(
    *,
    submission=None,
    by,
    unit,
    need: str,
    item: Item,
    quantity,
    supplier: str = "",
    amount_vnd: int,
    proposed_on: date | None = None,
) -> Procurement:
    if not need.strip():
        raise ValidationError({"need": _("Cần ghi nhu cầu mua sắm.")})
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": _("Số lượng phải lớn hơn 0.")})
    if amount_vnd is None or not 0 <= amount_vnd <= AMOUNT_MAX:
        raise ValidationError({"amount_vnd": _("Giá trị không hợp lệ.")})
    record = Procurement.objects.create(
        unit=unit,
        need=nfc(need),
        item=item,
        quantity=quantity,
        supplier=nfc(supplier),
        amount_vnd=amount_vnd,
        proposed_on=proposed_on or timezone.localdate(),
        created_by=by,
        **idempotency.fields(submission),
    )
    audit_record(
        actor=by,
        action="supplies.procurement_create",
        target=record,
        changes={"item": item.code, "quantity": str(quantity), "amount_vnd": amount_vnd},
    )
    return record


@transaction.atomic
def procurement_advance(
    *,
    by,
    procurement: Procurement,
    to: str,
    on: date | None = None,
    decision_number: str = "",
    supplier: str = "",
    amount_vnd: int | None = None,
) -> Procurement:
    """Move the dossier to `to`, which must be the step after its current one. Approval
    needs the decision number; the contract may set the supplier and the final amount."""
    locked = Procurement.objects.select_for_update().get(pk=procurement.pk)
    if to not in Procurement.STEPS:
        raise ValidationError(_("Bước không hợp lệ."))
    if Procurement.STEPS.index(to) <= Procurement.STEPS.index(locked.status):
        raise ValidationError(
            _("Hồ sơ đã ở bước “%(status)s”.") % {"status": locked.get_status_display()}
        )
    if to != locked.next_status:
        raise ValidationError(
            _("Phải qua bước “%(step)s” trước.") % {"step": S(locked.next_status).label}
        )
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": _("Không ghi bước cho một ngày chưa tới.")})
    previous = getattr(locked, f"{locked.status}_on")
    if previous and on < previous:
        raise ValidationError({"on": _("Ngày này trước ngày của bước trước.")})
    changes = {"status": [locked.status, to], "on": on.isoformat()}
    fields = ["status", f"{to}_on"]
    if to == S.APPROVED:
        number = nfc(decision_number).strip()
        if not number:
            raise ValidationError({"decision_number": _("Cần ghi số quyết định phê duyệt.")})
        locked.decision_number = number
        changes["decision_number"] = number
        fields.append("decision_number")
    if to == S.CONTRACTED:
        if supplier.strip():
            locked.supplier = nfc(supplier).strip()
        if not locked.supplier:
            raise ValidationError({"supplier": _("Cần ghi nhà cung cấp.")})
        changes["supplier"] = locked.supplier
        fields.append("supplier")
        if amount_vnd is not None:
            if not 0 <= amount_vnd <= AMOUNT_MAX:
                raise ValidationError({"amount_vnd": _("Giá trị không hợp lệ.")})
            changes["amount_vnd"] = [locked.amount_vnd, amount_vnd]
            locked.amount_vnd = amount_vnd
            fields.append("amount_vnd")
    locked.status = to
    setattr(locked, f"{to}_on", on)
    locked.save(update_fields=fields)
    audit_record(actor=by, action="supplies.procurement_advance", target=locked, changes=changes)
    return locked


def check_document(upload) -> None:
    if upload.size is None or upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    if not (upload.name or "").lower().endswith(DOCUMENT_SUFFIXES):
        raise ValidationError(
            _("Chỉ nhận tệp %(kinds)s.") % {"kinds": ", ".join(DOCUMENT_SUFFIXES)}
        )


@transaction.atomic
def procurement_attach(*, by, procurement: Procurement, upload) -> ProcurementDocument:
    check_document(upload)
    name = PurePath(upload.name).name[:200]
    document = ProcurementDocument.objects.create(
        procurement=procurement, file=upload, name=nfc(name), uploaded_by=by
    )
    audit_record(
        actor=by,
        action="supplies.procurement_attach",
        target=procurement,
        changes={"document": name, "bytes": upload.size},
    )
    return document


# --- reads ----------------------------------------------------------------------------------


def procurements_for(user) -> QuerySet[Procurement]:
    if not user.has_role(*READER_ROLES):
        return Procurement.objects.none()
    qs = Procurement.objects.select_related("unit__parent", "item")
    return scope_to_jurisdiction(qs, user, "unit")


def procurement_for(user, pk) -> Procurement:
    found = procurements_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def public_summary(limit: int = 500) -> QuerySet[Procurement]:
    """Every purchase, newest first (organisational data only; the pages show the fields
    of `public_header`, never who entered them)."""
    return Procurement.objects.select_related("unit__parent", "item")[:limit]


def public_header() -> list[str]:
    return [
        _("Đơn vị mua"),
        _("Vật tư"),
        _("Số lượng"),
        _("Đơn vị tính"),
        _("Nhà cung cấp"),
        _("Giá trị (đồng)"),
        _("Tình trạng"),
        _("Số quyết định"),
        _("Ngày đề xuất"),
    ]


def public_rows(records) -> list[list]:
    return [
        [
            r.unit.label(),
            r.item.name,
            r.quantity,
            r.item.unit_of_measure,
            r.supplier,
            r.amount_vnd,
            r.get_status_display(),
            r.decision_number,
            r.proposed_on.strftime("%d/%m/%Y"),
        ]
        for r in records
    ]
