"""Who a registration may be: the caller's match scope and the candidates inside it.

Every caller outside the registry reaches people by phone or CCCD only through these (and
`person_register`), so the jurisdiction boundary is drawn in one place."""

import operator
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.lib.text import name_key, nfc

from ..models import Person


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

    One statement (issue 17: it was one per kind of match, up to four on every registration):
    each kind is a boolean column, the same phone and the same name + year keep their first
    20 by pk (a row number over the rows of that kind), and a kind that cannot match (no
    CCCD, no phone, no commune) is not asked for at all.
    """
    key = name_key(full_name)
    kinds: dict[str, Q] = {}
    if id_number:
        kinds["m_id"] = Q(id_number=id_number)
        if scope.path is not None or scope.unowned:
            # (a scope with nobody inside holds no claimed CCCD; its empty filter would
            # also reach PostgreSQL as the integer 0 in a boolean column)
            kinds["m_claimed"] = scope.q() & Q(claimed_id_number=id_number)
    if phone:
        kinds["m_phone"] = Q(phone=phone)
    if birth_year and commune is not None:
        kinds["m_name_year"] = Q(name_key=key, birth_year=birth_year, commune=commune)
    if not kinds:
        return []
    wanted = reduce(operator.or_, kinds.values())
    flags = {name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in kinds.items()}
    people = (
        Person.objects.filter(wanted, merged_into__isnull=True)
        .select_related("commune")
        .annotate(**flags)
    )
    bounded = [name for name in ("m_phone", "m_name_year") if name in kinds]
    if bounded:
        people = people.annotate(
            **{
                f"{name}_rank": Window(RowNumber(), partition_by=[F(name)], order_by=F("pk").asc())
                for name in bounded
            }
        )
        within = [Q(**{name: True}) for name in ("m_id", "m_claimed") if name in kinds]
        within += [Q(**{name: True, f"{name}_rank__lte": 20}) for name in bounded]
        people = people.filter(reduce(operator.or_, within))
    ranked = []
    for person in people:
        if getattr(person, "m_id", False):
            order, reason, strong = 0, "id", True
        elif getattr(person, "m_claimed", False):
            order, reason, strong = 1, "id", True
        elif getattr(person, "m_phone", False) and person.m_phone_rank <= 20:
            if person.name_key == key and birth_year and person.birth_year == birth_year:
                order, reason, strong = 2, "phone_name_year", True
            else:
                order, reason, strong = 3, "phone", False
        else:
            order, reason, strong = 4, "name_year", False
        ranked.append((order, person.pk, Candidate(person, reason, strong)))
    return [candidate for _order, _pk, candidate in sorted(ranked, key=lambda r: r[:2])]


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


def _cccd_taken(id_number: str, *, other_than: Person | None = None) -> bool:
    holders = Person.objects.filter(id_number=id_number)
    if other_than is not None:
        holders = holders.exclude(pk=other_than.pk)
    return holders.exists()
