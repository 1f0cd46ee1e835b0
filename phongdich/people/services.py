"""Writes on people: registration with matching, updates, merge."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.lib.text import name_key, nfc

from .models import Person


@dataclass(frozen=True)
class Candidate:
    person: Person
    reason: str  # why staff should look at it: "id", "phone_name_year", "phone", "name_year"
    strong: bool  # a strong match is the same person; a weak one is only shown


def _clean_identity(full_name: str, phone: str, id_number: str) -> tuple[str, str, str | None]:
    full_name = nfc(full_name)
    if not full_name:
        raise ValidationError({"full_name": _("Cần nhập họ và tên.")})
    phone = normalize_phone(phone) if phone else ""
    id_number = validate_id_number(id_number) if id_number else None
    return full_name, phone, id_number


def person_candidates(
    *,
    full_name: str,
    birth_year: int | None = None,
    phone: str = "",
    id_number: str = "",
    commune=None,
) -> list[Candidate]:
    """Existing people who may be this one, strongest first. Never merges anything.

    Strong: the same CCCD; or the same phone, folded name and birth year.
    Weak (shown for staff to judge): the same phone only; the same name and birth year in
    the same commune.
    """
    full_name, phone, id_number = _clean_identity(full_name, phone, id_number)
    key = name_key(full_name)
    live = Person.objects.filter(merged_into__isnull=True).select_related("commune")
    found: dict[int, Candidate] = {}

    def add(people, reason, strong):
        for person in people:
            if person.pk not in found:
                found[person.pk] = Candidate(person, reason, strong)

    if id_number:
        add(live.filter(id_number=id_number), "id", True)
    if phone:
        same_phone = list(live.filter(phone=phone)[:20])
        add(
            [
                p
                for p in same_phone
                if p.name_key == key and birth_year and p.birth_year == birth_year
            ],
            "phone_name_year",
            True,
        )
        add(same_phone, "phone", False)
    if birth_year and commune is not None:
        add(
            live.filter(name_key=key, birth_year=birth_year, commune=commune)[:20],
            "name_year",
            False,
        )
    return sorted(found.values(), key=lambda c: not c.strong)


@transaction.atomic
def person_register(
    *,
    by,
    full_name: str,
    birth_year: int | None = None,
    birth_date: date | None = None,
    sex: str = "",
    phone: str = "",
    id_number: str = "",
    address: str = "",
    commune=None,
    force_new: bool = False,
) -> tuple[Person, bool]:
    """Return (person, created). A strong match is reused (and filled in), never duplicated.

    Weak candidates are the caller's business: forms show them before calling this.
    `force_new` registers a new person even over a strong phone match (twins share a phone),
    but never over the same CCCD.
    """
    full_name, phone, id_number = _clean_identity(full_name, phone, id_number)
    if birth_date and not birth_year:
        birth_year = birth_date.year
    strong = [
        c
        for c in person_candidates(
            full_name=full_name, birth_year=birth_year, phone=phone, id_number=id_number or ""
        )
        if c.strong and (c.reason == "id" or not force_new)
    ]
    if strong:
        person = strong[0].person
        changed = {}
        for field, value in (
            ("id_number", id_number),
            ("phone", phone),
            ("birth_date", birth_date),
            ("birth_year", birth_year),
            ("sex", sex),
            ("address", address),
            ("commune", commune),
        ):
            if value and not getattr(person, field):
                setattr(person, field, value)
                changed[field] = str(value)
        if changed:
            person.save()
            audit_record(actor=by, action="person.update", target=person, changes=changed)
        return person, False
    person = Person(
        full_name=full_name,
        birth_year=birth_year,
        birth_date=birth_date,
        sex=sex,
        phone=phone,
        id_number=id_number,
        address=nfc(address),
        commune=commune,
    )
    person.refresh_keys()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # the same CCCD registered concurrently
        raise ValidationError({"id_number": _("Số CCCD này đã được đăng ký.")}) from exc
    audit_record(
        actor=by,
        action="person.create",
        target=person,
        changes={"commune": commune.code if commune else None},
    )
    return person, True


EDITABLE_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year",
    "sex",
    "id_number",
    "phone",
    "address",
    "commune",
)


@transaction.atomic
def person_update(*, by, person: Person, **values) -> Person:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "phone" in values and values["phone"]:
        values["phone"] = normalize_phone(values["phone"])
    if "id_number" in values:
        values["id_number"] = (
            validate_id_number(values["id_number"]) if values["id_number"] else None
        )
        clash = Person.objects.filter(id_number=values["id_number"]).exclude(pk=person.pk)
        if values["id_number"] and clash.exists():
            raise ValidationError({"id_number": _("Số CCCD này đã thuộc về người khác.")})
    changes = {}
    for field, value in values.items():
        if getattr(person, field) != value:
            changes[field] = [str(getattr(person, field)), str(value)]
            setattr(person, field, value)
    if changes:
        person.refresh_keys()
        person.save()
        audit_record(actor=by, action="person.update", target=person, changes=changes)
    return person


@transaction.atomic
def person_merge(*, by, keep: Person, duplicate: Person) -> Person:
    """Move every reference from `duplicate` to `keep`, fill gaps, and retire `duplicate`.

    References are found through Django's relation registry, so records of apps added later
    (cases, tickets, declarations) move too without this function knowing them.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("Không thể gộp một người với chính họ."))
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("Hồ sơ này đã được gộp trước đó."))
    moved = {}
    for relation in Person._meta.related_objects:
        if relation.remote_field.name == "merged_into":
            continue
        model = relation.related_model
        if relation.many_to_many:
            for obj in model.objects.filter(**{relation.field.name: duplicate}):
                getattr(obj, relation.field.name).remove(duplicate)
                getattr(obj, relation.field.name).add(keep)
            continue
        count = model.objects.filter(**{relation.field.name: duplicate}).update(
            **{relation.field.name: keep}
        )
        if count:
            moved[model._meta.label_lower] = count
    filled = {}
    id_number = duplicate.id_number
    if id_number and not keep.id_number:
        duplicate.id_number = None
        duplicate.save(update_fields=["id_number"])
    for field in ("birth_date", "birth_year", "sex", "id_number", "phone", "address", "commune"):
        value = id_number if field == "id_number" else getattr(duplicate, field)
        if value and not getattr(keep, field):
            setattr(keep, field, value)
            filled[field] = str(value)
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
