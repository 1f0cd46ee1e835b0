"""Reads for the quarantine pages, scoped to the user's jurisdiction by the record's commune
(where the person is quarantined, whoever opened it)."""

from django.db.models import F

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.audit.services import audit_read

from .models import FollowUpItem, Quarantine, Status

LIST_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.HEALTH_OFFICER,
    Role.COMMUNE_HEALTH_WORKER,
    Role.CARE_TEAM_MEMBER,
)
WRITE_ROLES = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER, Role.COMMUNE_HEALTH_WORKER)
LIST_LIMIT = 500


def quarantines_visible_to(user):
    return scope_to_jurisdiction(Quarantine.objects.all(), user, "commune")


def active_list(user, *, commune=None, limit: int = LIST_LIMIT):
    """The active quarantines the user may see, those needing attention first, then by end
    date. A fixed number of queries whatever the length (the pinned count test)."""
    qs = quarantines_visible_to(user).filter(status=Status.ACTIVE)
    if commune is not None:
        qs = qs.filter(commune=commune)
    return list(
        qs.select_related("person", "commune__parent", "facility").order_by(
            F("attention_at").desc(nulls_last=True), "planned_end", "pk"
        )[:limit]
    )


def active_count(user, *, commune=None) -> int:
    qs = quarantines_visible_to(user).filter(status=Status.ACTIVE)
    if commune is not None:
        qs = qs.filter(commune=commune)
    return qs.count()


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
