"""Who a registration may be: the caller's match scope and the candidates inside it.

Every caller outside the registry reaches people by phone or CCCD only through these (and
`person_register`), so the jurisdiction boundary is drawn in one place."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
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


def _cccd_taken(id_number: str, *, other_than: Person | None = None) -> bool:
    holders = Person.objects.filter(id_number=id_number)
    if other_than is not None:
        holders = holders.exclude(pk=other_than.pk)
    return holders.exists()
