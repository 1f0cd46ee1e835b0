"""Writes on the stock ledger. Every movement appends entries; nothing is edited.

A movement that takes stock out (issue, transfer) checks the balance and appends in one
transaction under `key_lock` on (place, item), so two issues of the last cylinders cannot
both pass the check on PostgreSQL."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.locks import key_lock
from phongdich.lib.text import nfc

from .models import Item, Place, StockBalance, StockEntry, SupplyRequest

K = StockEntry.Kind


def balance_of(place: Place, item: Item) -> Decimal:
    total = StockEntry.objects.filter(place=place, item=item).aggregate(s=Sum("quantity"))["s"]
    return total or Decimal(0)


def _lock(place: Place, item: Item) -> None:
    key_lock(f"supplies:{place.pk}:{item.pk}")


def _positive(quantity) -> Decimal:
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("Số lượng phải lớn hơn 0.")})
    return quantity


def _amount(value: Decimal) -> str:
    """12.50 -> "12,5"; 300.00 -> "300" (Vietnamese decimal comma)."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _append(
    *, by, place, item, kind, quantity, occurred_at=None, note="", submission=None, **extra
) -> StockEntry:
    entry = StockEntry.objects.create(
        place=place,
        item=item,
        kind=kind,
        quantity=quantity,
        occurred_at=occurred_at or timezone.now(),
        by=by if getattr(by, "is_authenticated", False) else None,
        note=nfc(note),
        **idempotency.fields(submission),
        **extra,
    )
    _keep_balance(place, item, quantity)
    audit_record(
        actor=by,
        action=f"supplies.{kind}",
        target=place,
        changes={"item": item.code, "quantity": str(quantity), "entry": entry.pk},
    )
    return entry


def _keep_balance(place: Place, item: Item, quantity) -> None:
    """Add the entry to the kept balance in the entry's own transaction: one statement that
    creates the pair's row on its first entry (ON CONFLICT, on PostgreSQL and SQLite alike).
    Every writer holds the pair's key lock, taken in sorted order, so two transfers crossing
    between the same places cannot deadlock on these rows."""
    table = connection.ops.quote_name(StockBalance._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (place_id, item_id, quantity) VALUES (%s, %s, %s) "
            f"ON CONFLICT (place_id, item_id) DO UPDATE "
            f"SET quantity = {table}.quantity + excluded.quantity",
            [place.pk, item.pk, Decimal(quantity)],
        )


def _check_enough(place, item, quantity) -> None:
    available = balance_of(place, item)
    if quantity > available:
        raise ValidationError(
            {
                "quantity": _("%(place)s chỉ còn %(available)s %(unit)s %(item)s.")
                % {
                    "place": place.name,
                    "available": _amount(available),
                    "unit": item.unit_of_measure,
                    "item": item.name,
                }
            }
        )


@idempotency.submitted_once(StockEntry)
@transaction.atomic
def stock_receive(
    *, submission=None, by, place: Place, item: Item, quantity, occurred_at=None, note=""
) -> StockEntry:
    _lock(place, item)
    return _append(
        by=by,
        place=place,
        item=item,
        kind=K.RECEIPT,
        quantity=_positive(quantity),
        occurred_at=occurred_at,
        note=note,
        submission=submission,
    )


@idempotency.submitted_once(StockEntry)
@transaction.atomic
def stock_issue(
    *, submission=None, by, place: Place, item: Item, quantity, occurred_at=None, note=""
) -> StockEntry:
    quantity = _positive(quantity)
    _lock(place, item)
    _check_enough(place, item, quantity)
    return _append(
        by=by,
        place=place,
        item=item,
        kind=K.ISSUE,
        quantity=-quantity,
        occurred_at=occurred_at,
        note=note,
        submission=submission,
    )


@idempotency.submitted_once(StockEntry)
@transaction.atomic
def stock_transfer(
    *,
    submission=None,
    by,
    source: Place,
    destination: Place,
    item: Item,
    quantity,
    occurred_at=None,
    note="",
    request=None,
) -> StockEntry:
    """Two entries sharing one transfer id: out of `source`, into `destination`. Returns
    the entry out (which carries the submission key). `request` links both entries to the
    supply request they fulfil (`supply_request_fulfil`)."""
    quantity = _positive(quantity)
    if source.pk == destination.pk:
        raise ValidationError({"destination": _("Nơi nhận phải khác nơi chuyển.")})
    # Both ends at once (key_lock sorts them): a transfer each way between two places
    # cannot deadlock.
    key_lock(f"supplies:{source.pk}:{item.pk}", f"supplies:{destination.pk}:{item.pk}")
    _check_enough(source, item, quantity)
    transfer = StockEntry.new_transfer_id()
    out = _append(
        by=by,
        place=source,
        item=item,
        kind=K.TRANSFER_OUT,
        quantity=-quantity,
        occurred_at=occurred_at,
        note=note,
        transfer=transfer,
        counterpart=destination,
        submission=submission,
        request=request,
    )
    into = _append(
        by=by,
        place=destination,
        item=item,
        kind=K.TRANSFER_IN,
        quantity=quantity,
        occurred_at=out.occurred_at,
        note=note,
        transfer=transfer,
        counterpart=source,
        request=request,
    )
    del into
    return out


@idempotency.submitted_once(StockEntry)
@transaction.atomic
def stock_count(
    *, submission=None, by, place: Place, item: Item, counted, occurred_at=None, note=""
) -> StockEntry:
    """A physical count: the entry adds what the ledger missed (or takes away what it had
    too much), so the balance equals what was counted."""
    counted = Decimal(counted)
    if counted < 0:
        raise ValidationError({"counted": _("Số kiểm kê không thể âm.")})
    _lock(place, item)
    difference = counted - balance_of(place, item)
    return _append(
        by=by,
        place=place,
        item=item,
        kind=K.COUNT,
        quantity=difference,
        counted=counted,
        occurred_at=occurred_at,
        note=note,
        submission=submission,
    )


CORRECTABLE = (K.RECEIPT, K.ISSUE)


@transaction.atomic
def stock_correct(*, by, entry: StockEntry, right_quantity, note: str) -> StockEntry:
    """Correct a receipt or an issue typed wrong: a new entry adds the difference between
    what was right and what the entry (with its earlier corrections) says. The wrong entry
    stays as it was, so the ledger shows both."""
    if entry.kind not in CORRECTABLE:
        raise ValidationError(
            _(
                "Chỉ sửa được phiếu nhập hoặc xuất; điều chuyển sai thì chuyển ngược lại, kiểm kê sai thì kiểm kê lại."
            )
        )
    if not note.strip():
        raise ValidationError({"note": _("Cần ghi lý do điều chỉnh.")})
    right = Decimal(right_quantity)
    if right < 0:
        raise ValidationError({"right_quantity": _("Số lượng đúng không thể âm.")})
    _lock(entry.place, entry.item)
    sign = -1 if entry.kind == K.ISSUE else 1
    recorded = entry.quantity + (entry.corrections.aggregate(s=Sum("quantity"))["s"] or Decimal(0))
    difference = sign * right - recorded
    if difference == 0:
        raise ValidationError(_("Số lượng đúng bằng số đã ghi; không cần điều chỉnh."))
    if difference < 0:
        _check_enough(entry.place, entry.item, -difference)
    return _append(
        by=by,
        place=entry.place,
        item=entry.item,
        kind=K.CORRECTION,
        quantity=difference,
        occurred_at=entry.occurred_at,
        note=note,
        corrects=entry,
    )


@transaction.atomic
def place_for_facility(*, by, facility) -> Place:
    """The stock place of a facility, made on first use."""
    place, created = Place.objects.get_or_create(
        facility=facility,
        defaults={"kind": Place.Kind.FACILITY, "name": facility.name, "unit": facility.unit},
    )
    if created:
        audit_record(actor=by, action="supplies.place_create", target=place)
    return place


# --- requests -------------------------------------------------------------------------------


@idempotency.submitted_once(SupplyRequest)
@transaction.atomic
def supply_request_create(
    *, submission=None, by, place: Place, item: Item, quantity, needed_by, reason: str
) -> SupplyRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do đề nghị.")})
    request = SupplyRequest.objects.create(
        place=place,
        item=item,
        quantity=_positive(quantity),
        needed_by=needed_by,
        reason=nfc(reason),
        created_by=by,
        **idempotency.fields(submission),
    )
    audit_record(
        actor=by,
        action="supplies.request_create",
        target=request,
        changes={"item": item.code, "quantity": str(request.quantity)},
    )
    return request


def _lock_request(request: SupplyRequest) -> SupplyRequest:
    # OF self: the request's row serialises its decisions and fulfilments. Locking the
    # joined place and item rows too blocked every entry's foreign-key check on them, and
    # deadlocked a movement holding the same (place, item) key lock the fulfilment's
    # transfer then waits for (test_concurrency).
    return (
        SupplyRequest.objects.select_for_update(of=("self",))
        .select_related("place", "item")
        .get(pk=request.pk)
    )


@transaction.atomic
def supply_request_decide(
    *, by, request: SupplyRequest, approve: bool, quantity=None, note: str = ""
) -> SupplyRequest:
    """Approve (for the quantity asked, or less) or refuse, once."""
    locked = _lock_request(request)
    if locked.status != SupplyRequest.Status.SUBMITTED:
        raise ValidationError(_("Đề nghị này đã được xử lý."))
    if approve:
        approved = _positive(quantity if quantity is not None else locked.quantity)
        if approved > locked.quantity:
            raise ValidationError(
                {
                    "quantity": _("Không duyệt nhiều hơn số đề nghị (%(asked)s).")
                    % {"asked": _amount(locked.quantity)}
                }
            )
        locked.status, locked.approved_quantity = SupplyRequest.Status.APPROVED, approved
    else:
        if not note.strip():
            raise ValidationError({"note": _("Cần ghi lý do không duyệt.")})
        locked.status = SupplyRequest.Status.REJECTED
    locked.decision_note, locked.decided_by, locked.decided_at = nfc(note), by, timezone.now()
    locked.save(
        update_fields=["status", "approved_quantity", "decision_note", "decided_by", "decided_at"]
    )
    audit_record(
        actor=by,
        action="supplies.request_decide",
        target=locked,
        changes={"status": locked.status, "approved": str(locked.approved_quantity or "")},
    )
    return locked


def fulfilled_quantity(request: SupplyRequest) -> Decimal:
    total = request.entries.filter(kind=K.TRANSFER_IN).aggregate(s=Sum("quantity"))["s"]
    return total or Decimal(0)


@transaction.atomic
def supply_request_fulfil(*, by, request: SupplyRequest, source: Place, quantity) -> StockEntry:
    """Send (part of) an approved request from `source`: a transfer linked to the request;
    the request is fully fulfilled once the approved quantity has arrived."""
    locked = _lock_request(request)
    if locked.status not in (SupplyRequest.Status.APPROVED, SupplyRequest.Status.PARTLY):
        raise ValidationError(_("Chỉ cấp cho đề nghị đã duyệt và chưa cấp đủ."))
    quantity = _positive(quantity)
    remaining = locked.approved_quantity - fulfilled_quantity(locked)
    if quantity > remaining:
        raise ValidationError(
            {"quantity": _("Chỉ còn phải cấp %(remaining)s.") % {"remaining": _amount(remaining)}}
        )
    out = stock_transfer(
        by=by,
        source=source,
        destination=locked.place,
        item=locked.item,
        quantity=quantity,
        note=_("Cấp theo đề nghị #%(pk)s") % {"pk": locked.pk},
        request=locked,
    )
    locked.status = (
        SupplyRequest.Status.FULFILLED if quantity == remaining else SupplyRequest.Status.PARTLY
    )
    locked.save(update_fields=["status"])
    audit_record(
        actor=by,
        action="supplies.request_fulfil",
        target=locked,
        changes={"quantity": str(quantity), "status": locked.status},
    )
    return out
