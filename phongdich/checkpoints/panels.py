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


def officer_panel(request):
    user = request.user
    if user.jurisdiction is None:
        return None
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "passages_today": selectors.passages_visible_to(user).filter(at__gte=today_start).count(),
        "overdue": selectors.escorts_visible_to(user)
        .filter(exited_at__isnull=True, due_by__lt=timezone.now())
        .count(),
    }
