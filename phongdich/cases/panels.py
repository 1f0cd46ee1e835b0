"""The F0 panel on the staff home page."""

from django.db.models import Count, Q

from .models import CaseStatus
from .selectors import cases_visible_to


def home_panel(request) -> dict | None:
    if request.user.jurisdiction is None:
        return None
    return (
        cases_visible_to(request.user)
        .order_by()
        .aggregate(
            active=Count("pk", filter=Q(status=CaseStatus.ACTIVE)),
            pending=Count("pk", filter=Q(status=CaseStatus.PENDING)),
            danger=Count("pk", filter=Q(status=CaseStatus.ACTIVE, open_danger_alerts__gt=0)),
            silent=Count(
                "pk", filter=Q(status=CaseStatus.ACTIVE, open_alerts__gt=0, open_danger_alerts=0)
            ),
        )
    )
