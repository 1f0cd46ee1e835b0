from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.web.home_panels import figure, figures_panel

from .models import Task
from .selectors import REPORTER_ROLES, reporter_shows, tasks_visible_to, with_my_status


def build_panel(request) -> dict:
    """Overdue, open and waiting-for-review counts in one aggregate query. A reporter's
    figures link to their own list filtered the same way; the others' to the overview."""
    user = request.user
    qs = tasks_visible_to(user)
    reporter = user.has_role(*REPORTER_ROLES)
    shows = reporter_shows(timezone.localdate(), status="my_status" if reporter else "status")
    if reporter:
        # distinct() in the reporter queryset does not mix with aggregate; count by id, on
        # the reporter's own unit's status.
        qs = with_my_status(Task.objects.filter(pk__in=qs.values("pk")), user)
    counts = qs.aggregate(**{name: Count("pk", filter=q) for name, q in shows.items()})
    base = reverse("directives:mine" if reporter else "directives:overview")

    def link(show):
        return f"{base}?show={show}" if reporter else base

    return figures_panel(
        _("Thực hiện kết luận"),
        base,
        [
            figure(counts["overdue"], _("quá hạn"), link("overdue"), urgent=True),
            figure(counts["open"], _("nhiệm vụ đang thực hiện"), link("open")),
            figure(counts["reported"], _("chờ duyệt"), link("reported")),
        ],
    )
