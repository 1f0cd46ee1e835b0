"""Merging two records of one person: every reference to the duplicate moves to the kept one."""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from ..models import MatchReferral, Person
from .matching import _cccd_taken


def _has_open_case(person: Person) -> bool:
    """Whether the person is an F0 under care. Asked through the relation registry, as the
    merge below does, so people does not import cases."""
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if model._meta.label_lower == "cases.case":
            from phongdich.cases.models import OPEN_STATUSES

            return model.objects.filter(person=person, status__in=OPEN_STATUSES).exists()
    return False


def _relations_to_person():
    """Every relation pointing at Person, the hidden ones too: `related_objects` leaves out
    foreign keys declared with related_name="+" (a quarantine, a sample, a reminder), whose
    rows a merge must move all the same."""
    return [
        field.remote_field
        for model in apps.get_models()
        for field in model._meta.get_fields(include_hidden=True)
        if field.is_relation
        and field.concrete
        and getattr(field, "related_model", None) is Person
        and (field.many_to_one or field.one_to_one or field.many_to_many)
    ]


def _drop_repeats(model, field, keep: Person, rows) -> None:
    """Rows of the duplicate that a unique rule would refuse beside the kept person's own:
    for a model that marks itself MERGE_DROPS_REPEATS (a cache, or a once-only marker such
    as "reminder for dose 2 sent"), the kept person's row stands and the repeat goes."""
    if field.unique:
        if model.objects.filter(**{field.name: keep}).exists():
            rows.delete()
        return
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if field.name not in fields or getattr(constraint, "condition", None) is not None:
            continue
        others = [f for f in fields if f != field.name]
        held = set(model.objects.filter(**{field.name: keep}).values_list(*others))
        repeats = [pk for pk, *values in rows.values_list("pk", *others) if tuple(values) in held]
        model.objects.filter(pk__in=repeats).delete()


@transaction.atomic
def person_merge(*, by, keep: Person, duplicate: Person) -> Person:
    """Move every reference from `duplicate` to `keep`, fill gaps, and retire `duplicate`.

    References are found through Django's relation registry, so records of apps added later
    (cases, tickets, declarations) move too without this function knowing them. Referrals
    between the two are closed as merged; others follow the kept record.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("Không thể gộp một người với chính họ."))
    # Both rows locked, in pk order, so two merges of one pair cannot interleave.
    list(Person.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk"))
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("Hồ sơ này đã được gộp trước đó."))
    if _has_open_case(keep) and _has_open_case(duplicate):
        raise ValidationError(
            _("Cả hai hồ sơ đều đang có ca F0 chưa kết thúc; cần kết thúc một ca trước khi gộp.")
        )
    now = timezone.now()
    pair = Q(existing=keep, new_person=duplicate) | Q(existing=duplicate, new_person=keep)
    MatchReferral.objects.filter(pair).update(
        status=MatchReferral.Status.MERGED, resolved_at=now, resolved_by=by
    )
    for field, other in (("existing", "new_person"), ("new_person", "existing")):
        for referral in MatchReferral.objects.filter(**{field: duplicate}).exclude(pair):
            clash = MatchReferral.objects.filter(
                **{field: keep, other: getattr(referral, f"{other}_id")}
            )
            if clash.exists() or getattr(referral, f"{other}_id") == keep.pk:
                referral.delete()
            else:
                setattr(referral, field, keep)
                referral.save(update_fields=[field])
    moved = {}
    for relation in _relations_to_person():
        if relation.remote_field.name == "merged_into" or relation.related_model is MatchReferral:
            continue
        model = relation.related_model
        if relation.many_to_many:
            for obj in model.objects.filter(**{relation.field.name: duplicate}):
                getattr(obj, relation.field.name).remove(duplicate)
                getattr(obj, relation.field.name).add(keep)
            continue
        rows = model.objects.filter(**{relation.field.name: duplicate})
        if getattr(model, "MERGE_DROPS_REPEATS", False):
            _drop_repeats(model, relation.field, keep, rows)
        try:
            with transaction.atomic():
                count = rows.update(**{relation.field.name: keep})
        except IntegrityError as exc:  # e.g. both records have a quarantine or a case open
            raise ValidationError(
                _(
                    "Không gộp được: cả hai hồ sơ cùng có %(what)s chưa kết thúc; hãy kết thúc "
                    "một bản ghi trước khi gộp."
                )
                % {"what": model._meta.verbose_name}
            ) from exc
        if count:
            moved[model._meta.label_lower] = count
    filled = {}
    # A CCCD the duplicate held back (`claimed_id_number`) becomes the kept record's when
    # nobody else holds it; the duplicate gives up its own so the unique column allows it.
    id_number = duplicate.id_number or duplicate.claimed_id_number or None
    if id_number and not keep.id_number:
        duplicate.id_number = None
        duplicate.save(update_fields=["id_number"])
        if _cccd_taken(id_number, other_than=keep):
            id_number = None
    for field in ("birth_date", "birth_year", "sex", "id_number", "phone", "address", "commune"):
        value = id_number if field == "id_number" else getattr(duplicate, field)
        if value and not getattr(keep, field):
            setattr(keep, field, value)
            filled[field] = str(value)
    if keep.id_number and keep.claimed_id_number == keep.id_number:
        keep.claimed_id_number = ""
    keep.save()
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into"])
    audit_record(
        actor=by,
        action="person.merge",
        target=keep,
        changes={"duplicate": duplicate.pk, "moved": moved, "filled": filled},
    )
    return keep
