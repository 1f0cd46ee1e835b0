"""The F0 panel on the staff home page: the figures the care team acts on today, each a
link to the queue filtered the same way (the same selector, so the counts agree)."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from phongdich.web.home_panels import figure, figures_panel

from .selectors import QUEUE_SHOWS, care_queue, pending_cases


def home_panel(request) -> dict | None:
    user = request.user
    if user.jurisdiction is None:
        return None
    counts = (
        care_queue(user)
        .order_by()
        .aggregate(
            total=Count("pk"),
            danger=Count("pk", filter=QUEUE_SHOWS["danger"]),
            alerts=Count("pk", filter=QUEUE_SHOWS["alerts"]),
        )
    )
    pending = pending_cases(user).order_by().count()
    queue = reverse("cases:queue")
    return figures_panel(
        _("F0 trong địa bàn"),
        queue,
        [
            figure(
                counts["danger"], _("có dấu hiệu nguy hiểm"), f"{queue}?show=danger", urgent=True
            ),
            figure(counts["alerts"], _("có cảnh báo khác"), f"{queue}?show=alerts", urgent=True),
            figure(pending, _("chờ xác minh"), f"{queue}#pending"),
            figure(counts["total"], _("đang theo dõi tại nhà"), queue),
        ],
    )
