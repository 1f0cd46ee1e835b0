"""The levels part of the demo province: a week of daily assessments of every unit, last
week's levels reviewed (one commune overridden with a reason) and published, today's left
as the unpublished preview. Runs after the other apps' demos (levels is the last domain
app), on the figures they produced."""

from datetime import timedelta

from django.utils import timezone

from phongdich.accounts.models import Role

from . import services
from .models import Assessment

DAYS = 7


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    today = timezone.localdate()
    if Assessment.objects.filter(day=today, unit=province).exists():
        log("levels: demo data already present")
        return
    from phongdich.stats.services import daily_counts_refresh

    # The assessment reads the rolled-up figures; the demo fills them for 30 days after the
    # app demos, so the two weeks the first assessment needs are computed here first.
    for back in range(14 + DAYS):
        daily_counts_refresh(day=today - timedelta(days=back))
    for back in reversed(range(DAYS)):
        services.levels_assess(by=None, day=today - timedelta(days=back), province=province)
    officer = next(
        (u for u in users.values() if u.role == Role.HEALTH_OFFICER and u.jurisdiction == province),
        None,
    )
    committee = next((u for u in users.values() if u.role == Role.COMMITTEE_MEMBER), None)
    if officer is None or committee is None:
        return
    yesterday = today - timedelta(days=1)
    effective = services.earliest_effective()
    proposals = list(
        Assessment.objects.filter(day=yesterday, computed_level__isnull=False)
        .select_related("unit")
        .order_by("unit__path")
    )
    for i, a in enumerate(proposals):
        level, reason = a.computed_level, ""
        if i == 1 and level > 1:
            level, reason = level - 1, "Các ca mới đều trong khu cách ly đã khoanh vùng"
        services.assessment_review(by=officer, assessment=a, level=level, reason=reason)
        services.assessment_publish(by=committee, assessment=a, effective_from=effective)
    log(f"levels: {DAYS} days assessed; {len(proposals)} levels of {yesterday:%d/%m/%Y} published")
