from django.db.models import Count, Q
from django.utils import timezone

from .models import Task
from .selectors import REPORTER_ROLES, tasks_visible_to


def build_panel(request) -> dict:
    """Open, overdue and waiting-for-review counts in one aggregate query."""
    user = request.user
    today = timezone.localdate()
    qs = tasks_visible_to(user)
    if user.has_role(*REPORTER_ROLES):
        # distinct() in the reporter queryset does not mix with aggregate; count by id.
        qs = Task.objects.filter(pk__in=qs.values("pk"))
    counts = qs.aggregate(
        open=Count("pk", filter=~Q(status__in=Task.DONE_STATUSES)),
        overdue=Count("pk", filter=~Q(status__in=Task.DONE_STATUSES) & Q(deadline__lt=today)),
        to_review=Count("pk", filter=Q(status=Task.Status.REPORTED_DONE)),
    )
    counts["url"] = "directives:mine" if user.has_role(*REPORTER_ROLES) else "directives:overview"
    return counts
