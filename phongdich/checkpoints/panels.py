"""Home panel for commune and district health staff."""

from django.utils import timezone

from . import selectors


def commune_panel(request):
    user = request.user
    if user.jurisdiction is None:
        return None
    return {
        "pending": selectors.handovers_visible_to(user).filter(status="pending").count(),
        "ending_today": selectors.quarantines_visible_to(user)
        .filter(status="active", end_date=timezone.localdate())
        .count(),
        "follow_ups": selectors.follow_ups_visible_to(user).filter(status="open").count(),
    }
