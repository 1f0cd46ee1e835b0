"""Reads for the quarantine pages, scoped to the user's jurisdiction by the record's commune
(where the person is quarantined, whoever opened it)."""

from django.db.models import BooleanField, ExpressionWrapper, Q

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.audit.services import audit_read
from phongdich.lib import pagination
from phongdich.lib.pagination import Key, keyset_page

from .models import FollowUpItem, Quarantine, Status

LIST_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.HEALTH_OFFICER,
    Role.COMMUNE_HEALTH_WORKER,
    Role.CARE_TEAM_MEMBER,
    Role.TRACER,  # follows the contacts it quarantined (reads; writes stay with the station)
)
WRITE_ROLES = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER, Role.COMMUNE_HEALTH_WORKER)


def quarantines_visible_to(user):
    return scope_to_jurisdiction(Quarantine.objects.all(), user, "commune")


PAGE_SIZE = 100
COUNT_CAP = pagination.COUNT_CAP
# Those needing attention first, then by end date; the id breaks ties (lib.pagination).
LIST_KEYS = (
    Key("calm", field=BooleanField()),
    Key("planned_end"),
    Key("pk"),
)


def active_list(user, *, commune=None, next=None, prev=None):  # noqa: A002
    """One keyset page (`lib.pagination.keyset_page`, `?next=`/`?prev=`) of the active
    quarantines the user may see, those needing attention first, then by end date: a
    commune at its peak holds thousands of F1, and each page reads one range of the
    (commune, status, planned_end) index whatever its depth, in a fixed number of queries
    (the pinned count test). The count stops at the helper's cap ("more than")."""
    qs = quarantines_visible_to(user).filter(status=Status.ACTIVE)
    if commune is not None:
        qs = qs.filter(commune=commune)
    qs = qs.annotate(
        calm=ExpressionWrapper(Q(attention_at__isnull=True), BooleanField())
    ).select_related("person", "commune__parent", "facility")
    return keyset_page(qs, keys=LIST_KEYS, next=next, prev=prev, size=PAGE_SIZE, cap=COUNT_CAP)


def quarantine_get(user, pk: int) -> Quarantine:
    """One record, an audited read of a person's health data."""
    quarantine = (
        quarantines_visible_to(user)
        .select_related("person", "commune__parent", "facility__unit")
        .get(pk=pk)
    )
    audit_read(actor=user, target=quarantine)
    return quarantine


def open_items(quarantine):
    return list(
        FollowUpItem.objects.filter(quarantine=quarantine, done_at__isnull=True).order_by("day")
    )


def item_get(user, pk: int) -> FollowUpItem:
    return (
        FollowUpItem.objects.filter(quarantine__in=quarantines_visible_to(user))
        .select_related("quarantine")
        .get(pk=pk)
    )


def sites():
    from phongdich.facilities.models import Facility

    return Facility.objects.filter(kind=Facility.Kind.QUARANTINE_SITE, is_active=True).order_by(
        "name"
    )


def source_case_id_of(case) -> int | None:
    """The case a converted F0 was exposed to, through the quarantine it was found in."""
    return (
        Quarantine.objects.filter(converted_case_id=case.pk)
        .exclude(source_case_id=None)
        .values_list("source_case_id", flat=True)
        .first()
    )


ORDERS_LIMIT = 300


def test_orders(user, *, limit: int = ORDERS_LIMIT):
    """The open lab orders of the user's area: test days of active quarantines not yet
    sampled, the oldest day first (two queries with the count)."""
    qs = FollowUpItem.objects.filter(
        kind=FollowUpItem.Kind.TEST_DUE,
        done_at__isnull=True,
        quarantine__in=quarantines_visible_to(user).filter(status=Status.ACTIVE),
    )
    rows = list(
        qs.select_related(
            "quarantine__person", "quarantine__commune__parent", "quarantine__facility"
        ).order_by("day", "pk")[:limit]
    )
    return rows, qs.count()


def of_contact(contact) -> Quarantine | None:
    """The quarantine a traced contact was put in, for a link from the contact's page (the
    page already checked the contact is in the user's area)."""
    return (
        Quarantine.objects.filter(source_contact_id=contact.pk).order_by("-pk").first()
        or Quarantine.objects.filter(person_id=contact.person_id, status=Status.ACTIVE).first()
    )
