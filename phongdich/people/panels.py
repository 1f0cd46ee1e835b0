"""The home-page panel telling the owner of a record that a possible duplicate waits."""

from django.db.models import Count, Min
from django.utils import timezone

from .selectors import referrals_for


def referrals_panel(request) -> dict | None:
    if request.user.jurisdiction is None:
        return None
    # One aggregate over the same scope as the referrals page, so the count matches it.
    summary = (
        referrals_for(request.user)
        .order_by()
        .aggregate(count=Count("pk"), oldest=Min("created_at"))
    )
    if not summary["count"]:
        return None
    return {
        "count": summary["count"],
        "oldest_days": (timezone.now() - summary["oldest"]).days,
    }
