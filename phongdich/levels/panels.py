"""The levels figures on the home page: what waits for the health department's review and
for the committee's publication, for the latest day assessed, each linking to the list of
exactly those units (`/levels/pending/`)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from phongdich.web.home_panels import figure, figures_panel

from . import selectors, services
from .models import Assessment

PROPOSED, REVIEWED = Assessment.Status.PROPOSED, Assessment.Status.REVIEWED
PANEL_ROLES = (*services.REVIEW_ROLES, *services.PUBLISH_ROLES)


def build_panel(request) -> dict | None:
    user = request.user
    root = user.jurisdiction
    if root is None:
        return None
    day = selectors.latest_day(root)
    if day is None:
        return None
    counts = selectors.pending(root, day).aggregate(
        proposed=Count("pk", filter=Q(status=PROPOSED)),
        reviewed=Count("pk", filter=Q(status=REVIEWED)),
    )
    base = reverse("levels:pending")
    figures = []
    if user.role in services.REVIEW_ROLES:
        figures.append(
            figure(counts["proposed"], _("cấp độ chờ thẩm định"), f"{base}?status={PROPOSED}")
        )
    if user.role in services.PUBLISH_ROLES:
        figures.append(
            figure(counts["reviewed"], _("cấp độ chờ công bố"), f"{base}?status={REVIEWED}")
        )
    return figures_panel(_("Cấp độ dịch"), reverse("levels:table"), figures)
