from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.web.home_panels import figure, figures_panel

from . import dashboard

# The few figures the committee and health officers act on first; the rest is one click
# away on the dashboard. They are the dashboard's precomputed figures (up to 10 minutes
# old), so each opens its place on the dashboard, whose card links to the live list.
HOME_CODES = (
    "cases.new_community",
    "cases.danger_alerts_open",
    "facilities.free_oxygen",
    "facilities.free_icu",
    "hotline.overdue",
)
URGENT = {"cases.danger_alerts_open", "hotline.overdue"}


def build_panel(request) -> dict | None:
    unit = request.user.jurisdiction
    if unit is None:
        return None
    found = {
        f.spec.code: f
        for section in dashboard.figures(unit, timezone.localdate(), days=2)
        for f in section.figures
        if f.spec.code in HOME_CODES
    }
    figures = [
        figure(
            int(found[code].value or 0),
            found[code].spec.label,
            f"{reverse('stats:dashboard')}#{found[code].spec.anchor}",
            urgent=code in URGENT,
        )
        for code in HOME_CODES
        if code in found
    ]
    return figures_panel(_("Tình hình hôm nay"), reverse("stats:dashboard"), figures)
