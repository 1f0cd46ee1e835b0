from django.db.models import Count, Q
from django.utils import timezone

from .models import OPEN_STATUSES
from .selectors import tickets_visible_to


def tickets_panel(request) -> dict | None:
    qs = tickets_visible_to(request.user).filter(status__in=OPEN_STATUSES)
    counts = qs.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=timezone.now())),
        urgent=Count("pk", filter=Q(priority="P1")),
        unclaimed=Count("pk", filter=Q(claimed_by__isnull=True)),
    )
    return counts
