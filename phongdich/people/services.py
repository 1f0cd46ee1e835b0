"""Writes on people: registration with matching, updates, merge."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.lib.locks import key_lock
from phongdich.lib.text import name_key, nfc

from .models import MatchReferral, Person

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    person: Person
    reason: str  # why staff should look at it: "id", "phone_name_year", "phone", "name_year"
    strong: bool  # a strong match is the same person; a weak one is only shown


@dataclass(frozen=True)
class MatchScope:
    """The people a registration may show or reuse: those whose commune lies under `path`.

    - Staff: their jurisdiction (`by.jurisdiction`); a user without one: nobody.
    - A caller without an account (a citizen's public form): only the commune the record is
      registered into, and such callers are never shown a candidate. Their pages answer
      the same whatever matched.
    - A lab system posts with a token of a staff account, so it matches within that
      account's jurisdiction (a province-wide token may attach to any person of the
      province); the lab API answers only with ids the account could open anyway.

    A person with no commune (a traveller who only passed through, say) belongs to no
    commune: such records are inside the scope of the province (a user whose jurisdiction is
    the top unit) and of a public form that names no commune either; no commune's worker is
    led to them by typing a phone number or CCCD.
    """

    path: str | None  # None: no commune is inside
    unowned: bool = False  # whether people with no commune are inside

    @classmethod
    def for_caller(cls, by, *, commune=None) -> "MatchScope":
        if getattr(by, "is_authenticated", False):
            unit = by.jurisdiction if by.is_active else None
            if unit is None:
                return cls(None)
            return cls(unit.path, unowned=unit.parent_id is None)
        if commune is None:
            return cls(None, unowned=True)
        return cls(commune.path)

    def contains(self, unit) -> bool:
        if unit is None:
            return self.unowned
        return self.path is not None and unit.path.startswith(self.path)

    def q(self, field: str = "commune") -> Q:
        """The scope as a filter on a unit foreign key (nothing, when nobody is inside)."""
        inside = Q(pk__in=[])
        if self.path is not None:
            inside |= Q(**{f"{field}__path__startswith": self.path})
        if self.unowned:
            inside |= Q(**{f"{field}__isnull": True})
        return inside


def _clean_identity(full_name: str, phone: str, id_number: str) -> tuple[str, str, str | None]:
    full_name = nfc(full_name)
    if not full_name:
        raise ValidationError({"full_name": _("Cần nhập họ và tên.")})
    phone = normalize_phone(phone) if phone else ""
    id_number = validate_id_number(id_number) if id_number else None
    return full_name, phone, id_number


def _all_candidates(
    *, full_name: str, birth_year, phone: str, id_number: str | None, commune, scope: MatchScope
) -> list[Candidate]:
    """Every live person who may be this one, wherever they are, strongest first.

    Internal: callers must never show or write a candidate outside `scope` (see
    `person_candidates` and `person_register`). A CCCD held back on a local record
    (`claimed_id_number`) counts inside the scope only: elsewhere the record that holds the
    CCCD itself is the one to refer to.
    """
    key = name_key(full_name)
    live = Person.objects.filter(merged_into__isnull=True).select_related("commune")
    found: dict[int, Candidate] = {}

    def add(people, reason, strong):
        for person in people:
            if person.pk not in found:
                found[person.pk] = Candidate(person, reason, strong)

    if id_number:
        add(live.filter(id_number=id_number), "id", True)
        add(
            live.filter(scope.q(), claimed_id_number=id_number).order_by("pk"),
            "id",
            True,
        )
    if phone:
        same_phone = list(live.filter(phone=phone).order_by("pk")[:20])
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
            live.filter(name_key=key, birth_year=birth_year, commune=commune).order_by("pk")[:20],
            "name_year",
            False,
        )
    return sorted(found.values(), key=lambda c: not c.strong)


def person_candidates(
    *,
    by,
    full_name: str,
    birth_year: int | None = None,
    phone: str = "",
    id_number: str = "",
    commune=None,
) -> list[Candidate]:
    """People inside the caller's jurisdiction who may be this one, strongest first.
    Never merges anything, and never returns anyone the caller may not see.

    Strong: the same CCCD; or the same phone, folded name and birth year.
    Weak (shown for staff to judge): the same phone only; the same name and birth year in
    the same commune. A caller without an account is shown nobody.
    """
    if not getattr(by, "is_authenticated", False):
        return []
    full_name, phone, id_number = _clean_identity(full_name, phone, id_number)
    scope = MatchScope.for_caller(by, commune=commune)
    return [
        c
        for c in _all_candidates(
            full_name=full_name,
            birth_year=birth_year,
            phone=phone,
            id_number=id_number,
            commune=commune,
            scope=scope,
        )
        if scope.contains(c.person.commune)
    ]


def match_lock_keys(*, full_name: str, birth_year, phone: str, id_number: str | None) -> list:
    """The keys two registrations of one human share: the CCCD; phone + name + birth year."""
    keys = []
    if id_number:
        keys.append(f"person:id:{id_number}")
    if phone and birth_year:
        keys.append(f"person:phone:{phone}|{name_key(full_name)}|{birth_year}")
    return keys


def _refer(*, by, existing: Person, new_person: Person, reason: str, owner_unit, commune) -> None:
    """Record that `new_person` may be `existing`, for the unit holding `existing` to judge."""
    if owner_unit is None and commune is not None:
        # No commune holds the record: the province of the registering commune does.
        owner_unit = AdminUnit.objects.filter(
            path=("/" + commune.path.strip("/").split("/")[0] + "/")
        ).first()
    referral, created = MatchReferral.objects.get_or_create(
        existing=existing,
        new_person=new_person,
        defaults={
            "reason": reason,
            "owner_unit": owner_unit,
            "requesting_unit": commune,
            "requested_by": by if getattr(by, "is_authenticated", False) else None,
        },
    )
    if created:
        audit_record(
            actor=by,
            action="person.referral",
            target=referral,
            changes={"existing": existing.pk, "new": new_person.pk, "reason": reason},
        )
        referral_id = referral.pk
        transaction.on_commit(lambda: _notify_referral(referral_id))


def _notify_referral(referral_id: int) -> None:
    from .tasks import notify_referral

    try:
        notify_referral.enqueue(referral_id)
    except Exception:  # a queue hiccup must not undo a registration already committed
        logger.exception("could not enqueue the referral notice %s", referral_id)


def _cccd_taken(id_number: str, *, other_than: Person | None = None) -> bool:
    holders = Person.objects.filter(id_number=id_number)
    if other_than is not None:
        holders = holders.exclude(pk=other_than.pk)
    return holders.exists()


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
) -> tuple[Person, bool]:
    """Return (person, created). A strong match inside the caller's jurisdiction is reused
    (and its gaps filled), never duplicated.

    A strong match outside it is neither shown nor written to: the caller gets a new local
    record, exactly as if nobody matched, and a `MatchReferral` asks the other record's
    commune to merge (see `MatchScope` for who is inside). `leads_to(person)` names another
    unit the caller would be led to by reusing `person` (their open F0 case, say): the person
    is reused only if that unit lies inside the scope too, and that unit gets the referral.

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
            audit_record(actor=by, action="person.update", target=person, changes=changed)
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
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as exc:  # backstop: the key lock serialises same-CCCD writes
            raise ValidationError({"id_number": _("Số CCCD này đang được đăng ký.")}) from exc
        audit_record(
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


def _has_open_case(person: Person) -> bool:
    """Whether the person is an F0 under care. Asked through the relation registry, as the
    merge below does, so people does not import cases."""
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if model._meta.label_lower == "cases.case":
            from phongdich.cases.models import OPEN_STATUSES

            return model.objects.filter(person=person, status__in=OPEN_STATUSES).exists()
    return False


@transaction.atomic
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


@transaction.atomic
def referral_resolve(*, by, referral: MatchReferral, same_person: bool) -> MatchReferral:
    """The owner of the existing record judges a referral: the same human (merge the new
    record into theirs) or not (dismiss). A guarded update, so two judges make one move."""
    moved = MatchReferral.objects.filter(pk=referral.pk, status=MatchReferral.Status.OPEN).update(
        status=MatchReferral.Status.MERGED if same_person else MatchReferral.Status.DISMISSED,
        resolved_at=timezone.now(),
        resolved_by=by,
    )
    if not moved:
        raise ValidationError(_("Yêu cầu này đã được xử lý."))
    if same_person:
        person_merge(by=by, keep=referral.existing, duplicate=referral.new_person)
    referral.refresh_from_db()
    audit_record(
        actor=by,
        action="person.referral_resolve",
        target=referral,
        changes={"status": referral.status},
    )
    return referral
