"""The 1022 panel on the home page: open tickets the role acts on today, each figure a link
to the ticket queue filtered the same way (selectors.ticket_queue), so the counts agree."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.web.home_panels import figure, figures_panel

from .selectors import ticket_queue


def tickets_panel(request) -> dict | None:
    qs = ticket_queue(request.user).order_by()
    counts = qs.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=timezone.now())),
        urgent=Count("pk", filter=Q(priority="P1")),
        unclaimed=Count("pk", filter=Q(claimed_by__isnull=True)),
    )
    queue = reverse("hotline:queue")
    return figures_panel(
        _("Tổng đài 1022"),
        queue,
        [
            figure(counts["urgent"], _("khẩn cấp (P1)"), f"{queue}?priority=P1", urgent=True),
            figure(counts["overdue"], _("quá hạn"), f"{queue}?overdue=1", urgent=True),
            figure(counts["unclaimed"], _("chưa ai nhận"), f"{queue}?unclaimed=1"),
            figure(counts["total"], _("phiếu đang mở"), queue),
        ],
    )
