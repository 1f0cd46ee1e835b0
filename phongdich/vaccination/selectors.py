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
