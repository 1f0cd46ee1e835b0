"""Writes of policy rows: create, edit, deactivate and reactivate, each atomic and audited
with the row's values before and after (policy rows are never deleted)."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency

from .models import RowSubmission
from .registry import PolicyTable


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(table: PolicyTable, row) -> dict:
    """The row's editable values as JSON-safe plain values (foreign keys as ids)."""
    out = {}
    names = dict.fromkeys((*table.fields, *((table.active_field,) if table.active_field else ())))
    for name in names:
        field = row._meta.get_field(name)
        if field.many_to_many:
            out[name] = sorted(getattr(row, name).values_list("pk", flat=True)) if row.pk else []
        elif isinstance(field, models.ForeignKey):
            out[name] = getattr(row, field.attname)
        else:
            out[name] = _plain(getattr(row, name))
    return out


def _action(table: PolicyTable, verb: str) -> str:
    return f"policy.{table.model._meta.label_lower}.{verb}"


def _save(row, cleaned: dict, table: PolicyTable) -> None:
    many = {}
    for name in table.fields:
        if name not in cleaned:
            continue
        if row._meta.get_field(name).many_to_many:
            many[name] = cleaned[name]
        else:
            setattr(row, name, cleaned[name])
    row.full_clean()
    row.save()
    for name, values in many.items():
        getattr(row, name).set(values)


def _row_create(by, table: PolicyTable, values: dict):
    row = table.model()
    _save(row, values, table)
    audit_record(
        actor=by,
        action=_action(table, "create"),
        target=row,
        changes={"before": {}, "after": snapshot(table, row)},
    )
    return row


def _row_create_once(by, table: PolicyTable, values: dict, submission):
    # The receipt first: a racing copy of this submission waits on its unique key, then
    # fails and keeps none of its work, before it has written a row of its own.
    receipt = RowSubmission.objects.create(table=table.slug, **submission.fields())
    receipt.row_pk = _row_create(by, table, values).pk
    receipt.save(update_fields=["row_pk"])
    return receipt


@transaction.atomic
def policy_row_create(
    *, by, table: PolicyTable, values: dict, submission: idempotency.Submission | None = None
):
    """Add a row; with a submission, once however often it is sent (see lib/idempotency)."""
    if not table.can_create:
        raise ValidationError(_("Bảng này không cho thêm dòng mới."))
    if submission is None:
        return _row_create(by, table, values)
    receipt = idempotency.submit_once(
        RowSubmission, submission, lambda: _row_create_once(by, table, values, submission)
    )
    if receipt.table != table.slug:  # the same key once used on another table's form
        raise idempotency.SubmissionConflict()
    row = table.model._default_manager.get(pk=receipt.row_pk)
    row.submission_replayed = receipt.submission_replayed
    return row


@transaction.atomic
def policy_row_update(*, by, table: PolicyTable, row, values: dict):
    # Lock the row so two admins saving at once cannot record the same "before".
    row = table.model._default_manager.select_for_update().get(pk=row.pk)
    before = snapshot(table, row)
    _save(row, values, table)
    after = snapshot(table, row)
    changed = [name for name in after if before.get(name) != after[name]]
    if changed:
        audit_record(
            actor=by,
            action=_action(table, "update"),
            target=row,
            changes={
                "before": {name: before.get(name) for name in changed},
                "after": {name: after[name] for name in changed},
            },
        )
    return row


@transaction.atomic
def policy_row_set_active(*, by, table: PolicyTable, row, active: bool):
    """Deactivate (or reactivate) a row: the rules stop (or start again) reading it; the row
    and its history stay."""
    if not table.active_field:
        raise ValidationError(_("Dòng của bảng này không thể ngừng áp dụng."))
    row = table.model._default_manager.select_for_update().get(pk=row.pk)
    was = bool(getattr(row, table.active_field))
    if was == active:
        return row
    setattr(row, table.active_field, active)
    row.save(update_fields=[table.active_field])
    audit_record(
        actor=by,
        action=_action(table, "activate" if active else "deactivate"),
        target=row,
        changes={"before": {table.active_field: was}, "after": {table.active_field: active}},
    )
    return row
