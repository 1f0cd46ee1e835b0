"""Reads on people, always scoped to the reader's jurisdiction."""

import re

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.lib.identity import normalize_phone
from phongdich.lib.query import prefix_q
from phongdich.lib.text import name_key

from . import need_to_know
from .models import MatchReferral, Person

_DIGITS_ONLY = re.compile(r"^[\d\s+().-]+$")


def people_visible_to(user) -> QuerySet[Person]:
    qs = Person.objects.filter(merged_into__isnull=True)
    return scope_to_jurisdiction(qs, user, "commune").select_related("commune__parent")


def person_get(user, pk: int) -> Person:
    """The person if the user may see them; Person.DoesNotExist otherwise (views answer 404,
    so an outsider cannot tell a hidden record from a missing one)."""
    return people_visible_to(user).get(pk=pk)


def person_search(user, query: str, limit: int = 50) -> list[Person]:
    """Find people by name (with or without diacritics), phone or CCCD.

    Names match by prefix of the full folded name ("nguyen van a…") or of the given name
    ("an"); several words must all match the full name's words in order. Digits match a
    CCCD/CMND exactly or a phone number. Roles whose work needs only an exact lookup
    (need_to_know.BY_IDENTIFIER) get no results for a name.
    """
    query = (query or "").strip()
    search = need_to_know.access_for(getattr(user, "role", "")).search
    if not query or search == need_to_know.NONE:
        return []
    visible = people_visible_to(user)
    if not _DIGITS_ONLY.match(query) and search == need_to_know.BY_IDENTIFIER:
        return []  # an exact lookup only: this role does not browse people by name
    if _DIGITS_ONLY.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) in (9, 12):  # CMND / CCCD; phones have 10 digits (11 with 84)
            # a CCCD held back on a local record until a merge is found like any other
            return list(visible.filter(Q(id_number=digits) | Q(claimed_id_number=digits))[:limit])
        try:
            return list(visible.filter(phone=normalize_phone(digits))[:limit])
        except ValidationError:  # not a valid phone either: nothing can match
            return []
    key = name_key(query)
    if not key:
        return []
    by_name = visible.filter(prefix_q("name_key", key)).order_by("name_key", "pk")
    if " " in key:
        return list(by_name[:limit])
    # One word may be a given name ("an") or the start of a family name ("nguy"). Two queries,
    # each walking its own index in order and stopping at `limit`, are far cheaper than one
    # OR query that must sort every match (tens of thousands for a common given name).
    by_given = visible.filter(prefix_q("given_key", key)).order_by("given_key", "name_key", "pk")
    found = {p.pk: p for p in by_given[:limit]}
    for person in by_name[:limit]:
        found.setdefault(person.pk, person)
    return list(found.values())[:limit]


def referrals_for(user) -> QuerySet[MatchReferral]:
    """Open referrals the user's units must judge: those about a person of their
    jurisdiction; the province also takes those about records no commune holds."""
    qs = MatchReferral.objects.filter(status=MatchReferral.Status.OPEN).select_related(
        "existing__commune", "new_person", "requesting_unit__parent", "requested_by"
    )
    unit = getattr(user, "jurisdiction", None)
    if unit is not None and unit.parent_id is None and user.is_authenticated and user.is_active:
        return qs.filter(
            Q(owner_unit__isnull=True)
            | Q(pk__in=scope_to_jurisdiction(qs, user, "owner_unit").values("pk"))
        )
    return scope_to_jurisdiction(qs, user, "owner_unit")


def referral_get(user, pk: int) -> MatchReferral:
    """The open referral if it is the user's to judge; MatchReferral.DoesNotExist otherwise."""
    return referrals_for(user).get(pk=pk)
