"""Registering a person with matching, and changing a person's facts."""

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_event, audit_record
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.lib.locks import key_lock
from phongdich.lib.text import nfc

from ..models import MatchReferral, Person
from .matching import MatchScope, _all_candidates, _cccd_taken, _clean_identity, match_lock_keys
from .referrals import _refer


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
    leads_to: Callable[[Person], object] | None = None,
    audit_into: list | None = None,
) -> tuple[Person, bool]:
    """Return (person, created). A strong match inside the caller's jurisdiction is reused
    (and its gaps filled), never duplicated.

    A strong match outside it is neither shown nor written to: the caller gets a new local
    record, exactly as if nobody matched, and a `MatchReferral` asks the other record's
    commune to merge (see `MatchScope` for who is inside). `leads_to(person)` names another
    unit the caller would be led to by reusing `person` (their open F0 case, say): the person
    is reused only if that unit lies inside the scope too, and that unit gets the referral.

    `audit_into`: the person's own audit event (person.create or person.update) is appended
    to this list unsaved instead of being written, for a caller that writes it with its own
    rows in one round trip (lib.query.write_together) before its transaction ends.

    Weak candidates are the caller's business: forms show them before calling this.
    `force_new` registers a new person even over a strong phone match (twins share a phone),
    but never over the same CCCD. Registrations of one identity are serialised on its match
    keys (`lib.locks`), so concurrent ones make one person.
    """
    full_name, phone, id_number = _clean_identity(full_name, phone, id_number)
    if birth_date and not birth_year:
        birth_year = birth_date.year
    key_lock(
        *match_lock_keys(
            full_name=full_name, birth_year=birth_year, phone=phone, id_number=id_number
        )
    )
    scope = MatchScope.for_caller(by, commune=commune)
    strong = [
        c
        for c in _all_candidates(
            full_name=full_name,
            birth_year=birth_year,
            phone=phone,
            id_number=id_number,
            commune=commune,
            scope=scope,
        )
        if c.strong and (c.reason == "id" or not force_new)
    ]
    reusable, elsewhere = None, []
    for candidate in strong:
        other_unit = leads_to(candidate.person) if leads_to else None
        if not scope.contains(candidate.person.commune):
            elsewhere.append((candidate, candidate.person.commune, candidate.reason))
        elif other_unit is not None and not scope.contains(other_unit):
            elsewhere.append((candidate, other_unit, MatchReferral.Reason.OPEN_CASE))
        elif reusable is None:
            reusable = candidate.person
    if reusable is not None:
        person = reusable
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
            if field == "id_number" and value and not person.id_number:
                if _cccd_taken(value, other_than=person):
                    # Held by a record outside the jurisdiction (referred below): keep it
                    # on this one, as for a new record, until a merge.
                    if not person.claimed_id_number:
                        person.claimed_id_number = value
                        changed["claimed_id_number"] = value
                    continue
            if value and not getattr(person, field):
                setattr(person, field, value)
                changed[field] = str(value)
        if changed:
            person.save()
            _audit(audit_into, actor=by, action="person.update", target=person, changes=changed)
        created = False
    else:
        person = Person(
            full_name=full_name,
            birth_year=birth_year,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            address=nfc(address),
            commune=commune,
        )
        if id_number and _cccd_taken(id_number):
            # The CCCD is on a record outside the jurisdiction (inside, it would have been
            # reused): keep it on this record without taking it from the other one.
            person.claimed_id_number = id_number
        else:
            person.id_number = id_number
        person.refresh_keys()
        if person.id_number:
            try:
                with transaction.atomic():
                    person.save()
            except IntegrityError as exc:  # backstop: the key lock serialises same-CCCD writes
                raise ValidationError({"id_number": _("Số CCCD này đang được đăng ký.")}) from exc
        else:
            # Without a CCCD the row has no unique column for the backstop to catch: no
            # savepoint (two statements of every declaration, issue 17).
            person.save()
        _audit(
            audit_into,
            actor=by,
            action="person.create",
            target=person,
            changes={"commune": commune.code if commune else None},
        )
        created = True
    referred = set()
    for candidate, owner_unit, reason in elsewhere:
        if candidate.person.pk not in referred and candidate.person.pk != person.pk:
            referred.add(candidate.person.pk)
            _refer(
                by=by,
                existing=candidate.person,
                new_person=person,
                reason=reason,
                owner_unit=owner_unit,
                commune=commune,
            )
    return person, created


def _audit(into: list | None, **event) -> None:
    if into is None:
        audit_record(**event)
    else:
        into.append(audit_event(**event))


def person_register_within(**kwargs) -> tuple[Person, bool]:
    """`person_register` for a caller inside its own transaction.atomic block which lets
    every exception out (a declaration): without the savepoint of person_register's own
    block (SAVEPOINT and RELEASE, two round trips of every declaration, issue 17). A
    failure then rolls back the caller's whole transaction, which it does anyway."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("person_register_within runs inside the caller's atomic block")
    return person_register.__wrapped__(**kwargs)


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
    """Change a person's facts. A CCCD already on another record is refused when the caller
    can see that record, and otherwise held back and referred (see `person_register`)."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "phone" in values and values["phone"]:
        values["phone"] = normalize_phone(values["phone"])
    referral_to = None
    if "id_number" in values:
        values["id_number"] = (
            validate_id_number(values["id_number"]) if values["id_number"] else None
        )
        key_lock(f"person:id:{values['id_number']}")
        holder = (
            Person.objects.filter(id_number=values["id_number"])
            .exclude(pk=person.pk)
            .select_related("commune")
            .first()
            if values["id_number"]
            else None
        )
        if holder is not None:
            if MatchScope.for_caller(by, commune=person.commune).contains(holder.commune):
                raise ValidationError({"id_number": _("Số CCCD này đã thuộc về người khác.")})
            # Held by a record the caller may not see: say nothing, hold it back on this
            # record and ask the holder's commune, as registration does.
            values["claimed_id_number"] = values.pop("id_number")
            referral_to = holder
    changes = {}
    for field, value in values.items():
        if getattr(person, field) != value:
            changes[field] = [str(getattr(person, field)), str(value)]
            setattr(person, field, value)
    if changes:
        person.refresh_keys()
        person.save()
        audit_record(actor=by, action="person.update", target=person, changes=changes)
    if referral_to is not None:
        _refer(
            by=by,
            existing=referral_to,
            new_person=person,
            reason=MatchReferral.Reason.ID_NUMBER,
            owner_unit=referral_to.commune,
            commune=person.commune,
        )
    return person
