"""The tracing figures on the home page of the tracing team and the police partner: the
contacts of their area still to reach, and those in quarantine, each linking to the contact
list filtered to exactly them (its keyset page carries the same count)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.web.home_panels import figure, figures_panel

from . import selectors
from .models import ContactStatus

PANEL_ROLES = (Role.TRACER, Role.POLICE)


def build_panel(request) -> dict | None:
    if request.user.jurisdiction is None:
        return None
    counts = selectors.contacts_visible_to(request.user).aggregate(
        listed=Count("pk", filter=Q(status=ContactStatus.LISTED)),
        quarantined=Count("pk", filter=Q(status=ContactStatus.QUARANTINED)),
    )
    base = reverse("tracing:contacts")
    return figures_panel(
        _("Truy vết"),
        base,
        [
            figure(
                counts["listed"],
                _("người tiếp xúc chưa liên hệ được"),
                f"{base}?status={ContactStatus.LISTED}",
                urgent=True,
            ),
            figure(
                counts["quarantined"],
                _("người tiếp xúc đang cách ly"),
                f"{base}?status={ContactStatus.QUARANTINED}",
            ),
        ],
    )
