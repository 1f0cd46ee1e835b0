"""Home panels for commune and district health staff and for checkpoint officers: each
figure links to the list (and its section) that shows the same rows."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.web.home_panels import figure, figures_panel

from . import selectors


def commune_panel(request):
    user = request.user
    if user.jurisdiction is None:
        return None
    pending = selectors.handovers_visible_to(user).filter(status="pending").count()
    # The quarantines page's first section: ending today, or already past their end.
    ending = (
        selectors.quarantines_visible_to(user)
        .filter(status="active", planned_end__lte=timezone.localdate())
        .count()
    )
    follow_ups = selectors.follow_ups_visible_to(user).filter(status="open").count()
    return figures_panel(
        _("Người về và cách ly tại nhà"),
        "",
        [
            figure(
                ending,
                _("kết thúc cách ly hôm nay (hoặc quá hạn)"),
                reverse("quarantine:list"),
                urgent=True,
            ),
            figure(pending, _("người về chờ đến"), reverse("checkpoints:arrivals") + "#pending"),
            figure(follow_ups, _("việc cần theo dõi"), reverse("checkpoints:follow_ups")),
        ],
    )


def officer_panel(request):
    user = request.user
    if user.jurisdiction is None:
        return None
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    passages = selectors.passages_visible_to(user).filter(at__gte=today_start).count()
    overdue = (
        selectors.escorts_visible_to(user)
        .filter(exited_at__isnull=True, due_by__lt=timezone.now())
        .count()
    )
    return figures_panel(
        _("Chốt kiểm soát"),
        "",
        [
            figure(
                overdue, _("xe đi qua tỉnh quá giờ"), reverse("checkpoints:transit"), urgent=True
            ),
            figure(passages, _("lượt qua chốt hôm nay"), reverse("checkpoints:officer")),
        ],
    )
