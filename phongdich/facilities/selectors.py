from django.db.models import F, QuerySet

from phongdich.accounts.permissions import scope_to_jurisdiction

from .models import Facility


def facilities_visible_to(user, kind: str | None = None) -> QuerySet[Facility]:
    qs = scope_to_jurisdiction(Facility.objects.filter(is_active=True), user, "unit")
    return (qs.filter(kind=kind) if kind else qs).select_related("unit")


# Kinds that take F0 patients, in the order a transfer form offers them.
TREATING_KINDS = (
    Facility.Kind.ISOLATION_SITE,
    Facility.Kind.HOSPITAL_TIER1,
    Facility.Kind.HOSPITAL_TIER2,
    Facility.Kind.HOSPITAL_TIER3,
)


def transfer_targets(user) -> QuerySet[Facility]:
    """Facilities a user may transfer an F0 to: every active treating facility of the user's
    province, not only of their own commune (a commune sends patients up to district and
    province hospitals). Facilities hold no personal data, so the wider scope is safe."""
    unit = getattr(user, "jurisdiction", None)
    if not getattr(user, "is_authenticated", False) or unit is None:
        return Facility.objects.none()
    province_path = "/" + unit.path.strip("/").split("/")[0] + "/"
    return (
        Facility.objects.filter(
            is_active=True, kind__in=TREATING_KINDS, unit__path__startswith=province_path
        )
        .select_related("unit")
        .order_by("kind", "name")
    )


def transfer_choices(user) -> QuerySet[Facility]:
    """The transfer form's facility list: the same facilities as `transfer_targets`, most
    free beds first, each with `free_beds` (full ones are shown but cannot be chosen).
    The one place a transfer's choice is made, so that it can count beds by bed type once
    facilities have them."""
    return (
        transfer_targets(user)
        .select_related("unit__parent")
        .annotate(free_beds=F("beds_total") - F("beds_occupied"))
        .order_by("-free_beds", "kind", "name")
    )
