"""The facility officer's home panel: the free beds of their own site by type, each a link to
the site's page, where the same figures are kept (and changed). A type near full comes
first on a phone."""

from django.urls import reverse
from django.utils.translation import gettext as _

from phongdich.web.home_panels import figure, figures_panel

from .models import Facility
from .selectors import bed_figures, own_facility_id


def home_panel(request) -> dict | None:
    facility = (
        Facility.objects.select_related("unit__parent")
        .filter(pk=own_facility_id(request.user) or 0)
        .first()
    )
    if facility is None:
        return None
    url = reverse("facilities:detail", args=[facility.pk])
    figures = [
        figure(
            f.free,
            _("%(type)s còn trống (trên %(total)s)") % {"type": f.label, "total": f.total},
            f"{url}#beds",
            urgent=f.near_full,
        )
        for f in bed_figures(facility)
        if f.total
    ]
    return figures_panel(f"{facility.name} ({facility.unit.label()})", url, figures)
