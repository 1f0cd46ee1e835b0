"""Reads for the vaccination pages, scoped to the user's jurisdiction (by the person's commune)."""

from phongdich.accounts.permissions import scope_to_jurisdiction

from .models import Dose, DoseReview, VaccineProduct


def doses_visible_to(user):
    return scope_to_jurisdiction(Dose.objects.all(), user, "person__commune")


def reviews_visible_to(user):
    return scope_to_jurisdiction(DoseReview.objects.all(), user, "commune")


def open_reviews(user):
    return (
        reviews_visible_to(user)
        .filter(status=DoseReview.Status.OPEN)
        .select_related("product", "commune__parent")
        .order_by("created_at", "pk")
    )


def flagged_doses(user):
    return (
        doses_visible_to(user)
        .exclude(flags="")
        .filter(flags_cleared_by__isnull=True)
        .select_related("product", "person__commune__parent")
        .order_by("created_at", "pk")
    )


def review_get(user, pk: int) -> DoseReview:
    return reviews_visible_to(user).select_related("product", "commune__parent").get(pk=pk)


def dose_get(user, pk: int) -> Dose:
    return doses_visible_to(user).select_related("product", "person").get(pk=pk)


def products():
    return VaccineProduct.objects.filter(active=True).order_by("name")


def coverage_rows(user, day):
    """The user's unit and its children, each with its figures of the day by band."""
    from phongdich.geo.models import AdminUnit

    from .models import CoverageFigure

    unit = getattr(user, "jurisdiction", None)
    if unit is None:
        return []
    units = [unit, *AdminUnit.objects.filter(parent=unit).order_by("name")]
    figures = {}
    for figure in CoverageFigure.objects.filter(day=day, unit__in=units):
        figures.setdefault(figure.unit_id, {})[figure.band] = figure
    return [(u, figures.get(u.pk, {})) for u in units]


# --- AEFI (aefi.py) ---------------------------------------------------------------------------


def aefi_visible_to(user):
    """Reports of the communes in the user's jurisdiction: a district sees every commune it
    was routed from, a commune its own."""
    from .models import Aefi

    return scope_to_jurisdiction(Aefi.objects.all(), user, "commune")


def aefi_queue(user, *, status: str = ""):
    """Open reports first (serious on top), then the concluded ones."""
    from .models import Aefi

    qs = aefi_visible_to(user).select_related("person", "commune__parent", "dose__product")
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Aefi.Status.CONCLUDED)
    return qs.order_by("-serious", "created_at", "pk")


def aefi_get(user, pk: int):
    return (
        aefi_visible_to(user)
        .select_related("person__commune__parent", "commune__parent", "district", "dose__product")
        .get(pk=pk)
    )


def person_vaccination_status(user, person) -> dict | None:
    """The person's vaccination status for other apps' screens (hotline caller card,
    checkpoint lookup): status, its words, doses given, the next dose and from when, or
    why none is due. None when the user's role may see no personal data, or the person
    lies outside the user's jurisdiction. The caller's own screen audits its read."""
    from phongdich.people.models import Person
    from phongdich.people.need_to_know import NONE, access_for

    from . import labels, services

    if person is None or access_for(getattr(user, "role", "")).search == NONE:
        return None
    if not scope_to_jurisdiction(Person.objects.filter(pk=person.pk), user, "commune").exists():
        return None
    status = services.person_status(person)
    nxt = status.next
    return {
        "status": status.status,
        "label": str(labels.STATUS[status.status]),
        "doses": status.doses,
        "next_number": nxt.dose_number,
        "next_from": nxt.earliest,
        "no_dose_reason": str(labels.NO_DOSE.get(nxt.reason, "")),
    }
