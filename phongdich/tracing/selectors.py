"""Reads of tracing, scoped to the user's jurisdiction.

A contact is inside when the commune it lives in (whose list it is on) or the commune of
its source (which listed it) lies in the user's jurisdiction: a contact of commune A's case
living in commune B appears on both communes' lists and on no other."""

from datetime import date

from django.db.models import Q, Sum
from django.http import Http404

from phongdich.accounts.permissions import scope_q
from phongdich.geo.models import AdminUnit
from phongdich.geo.province import province_of_unit
from phongdich.lib.pagination import keyset_page

from . import rules
from .models import Cluster, Contact, Indicator


def _inside(user) -> Q:
    unit = getattr(user, "jurisdiction", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active or unit is None:
        return Q(pk__in=[])
    subtree = AdminUnit.objects.filter(path__startswith=unit.path).values("pk")
    lives_here, listed_here = Q(commune__in=subtree), Q(source_commune__in=subtree)
    code = province_of_unit(unit)
    if code:
        # Each branch names its province (issue 17): "lives here" the contact's own code
        # (its partition once contacts are partitioned), "listed by an F0 here" the
        # source's code, so neither walks other provinces' contacts.
        lives_here &= Q(province=code)
        listed_here &= Q(source_province=code)
    return lives_here | listed_here


def contacts_visible_to(user):
    return Contact.objects.filter(_inside(user))


PAGE_SIZE = 100


def contact_list(user, *, status: str = "", commune=None, next=None, prev=None):  # noqa: A002
    """One keyset page of the area's contacts, newest first (`lib.pagination`): a commune
    at its peak lists thousands of F1, and an OFFSET page or a full COUNT(*) over them
    would grow with the list; a keyset page reads one index range whatever its depth."""
    qs = contacts_visible_to(user).select_related(
        "person", "commune__parent", "source_case__person", "source_contact__person"
    )
    if status:
        qs = qs.filter(status=status)
    if commune is not None:
        qs = qs.filter(commune=commune)
    return keyset_page(qs, next=next, prev=prev, size=PAGE_SIZE)


def contact_get(user, pk: int) -> Contact:
    contact = (
        contacts_visible_to(user)
        .select_related(
            "person", "commune__parent", "source_case__person", "source_contact__person", "cluster"
        )
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        raise Http404
    return contact


def contacts_of_case(case):
    """The F1 of a case the user already opened (the case page checked the jurisdiction)."""
    return list(
        Contact.objects.filter(source_case=case)
        .select_related("person", "commune__parent", "became_case")
        .order_by("pk")
    )


def clusters_visible_to(user):
    unit = getattr(user, "jurisdiction", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active or unit is None:
        return Cluster.objects.none()
    return Cluster.objects.filter(scope_q(user, "commune"))


def cluster_list(user):
    return list(
        clusters_visible_to(user).select_related("commune__parent").order_by("status", "-pk")[:200]
    )


def cluster_get(user, pk: int) -> Cluster:
    cluster = clusters_visible_to(user).select_related("commune__parent").filter(pk=pk).first()
    if cluster is None:
        raise Http404
    return cluster


INDICATOR_FIELDS = (
    "new_cases",
    "contacts_of_new_cases",
    "contacts_listed_24h",
    "new_cases_known_contacts",
    "contacts_listed",
    "contacts_quarantined",
)


def indicator_rows(user, *, start: date, end: date):
    """The user's unit and each unit just below it, with the counts of the days summed and
    their shares: two queries (units, then one GROUP BY over the precomputed rows)."""
    unit = getattr(user, "jurisdiction", None)
    if unit is None:
        return []
    units = [unit, *AdminUnit.objects.filter(parent=unit).select_related("parent").order_by("name")]
    sums = {f: Sum(f) for f in INDICATOR_FIELDS}
    rows = (
        Indicator.objects.filter(day__gte=start, day__lte=end, unit__path__startswith=unit.path)
        .values("unit__path")
        .annotate(**{f"{f}_sum": s for f, s in sums.items()})
    )
    totals = {u.pk: dict.fromkeys(INDICATOR_FIELDS, 0) for u in units}
    children = [(u.path, u.pk) for u in units[1:]]
    for row in rows:
        # a commune's counts add to the user's unit and to the one unit below it that holds it
        targets = [unit.pk] + [pk for path, pk in children if row["unit__path"].startswith(path)]
        for pk in targets:
            for f in INDICATOR_FIELDS:
                totals[pk][f] += row[f"{f}_sum"] or 0
    return [(u, totals[u.pk], rules.indicator_shares(**totals[u.pk])) for u in units]
