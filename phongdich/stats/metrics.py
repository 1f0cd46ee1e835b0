"""The daily figures, each computed for a whole day with one GROUP BY.

Every metric names the app it reads; a deployment without that app simply has no such
figure. Days are local days (Asia/Ho_Chi_Minh).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Count
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Metric:
    code: str
    label: str | Promise
    app: str
    compute: Callable[[date], Iterable[tuple[int, int]]]  # -> (unit_id, value)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _grouped(qs, unit_field: str):
    return qs.values_list(unit_field).annotate(n=Count("pk")).values_list(unit_field, "n")


def _new_cases(day):
    from phongdich.cases.models import Case, CaseStatus

    return _grouped(
        Case.objects.filter(diagnosed_on=day).exclude(status=CaseStatus.PENDING), "commune_id"
    )


def _new_community_cases(day):
    from phongdich.cases.models import Case, CaseStatus, DetectionSetting

    return _grouped(
        Case.objects.filter(diagnosed_on=day, detection=DetectionSetting.COMMUNITY).exclude(
            status=CaseStatus.PENDING
        ),
        "commune_id",
    )


def _recovered(day):
    from phongdich.cases.models import Case

    return _grouped(Case.objects.filter(released_on=day), "commune_id")


def _deaths_pcr(day):
    from phongdich.cases.models import Death

    return _grouped(Death.objects.filter(died_on=day, pcr_confirmed=True), "case__commune_id")


def _tickets(day):
    from phongdich.hotline.models import Ticket

    start, end = _day_bounds(day)
    return _grouped(
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end, commune__isnull=False),
        "commune_id",
    )


def _passages(day):
    from phongdich.checkpoints.models import Passage

    start, end = _day_bounds(day)
    return _grouped(Passage.objects.filter(at__gte=start, at__lt=end), "checkpoint__unit_id")


METRICS = (
    Metric("cases.new", _("F0 mới"), "cases", _new_cases),
    Metric("cases.new_community", _("F0 mới trong cộng đồng"), "cases", _new_community_cases),
    Metric("cases.recovered", _("Khỏi bệnh"), "cases", _recovered),
    Metric("cases.deaths_pcr", _("Tử vong (PCR khẳng định)"), "cases", _deaths_pcr),
    Metric("hotline.tickets", _("Phiếu 1022 mới"), "hotline", _tickets),
    Metric("checkpoints.passages", _("Lượt qua chốt"), "checkpoints", _passages),
)


def active_metrics() -> list[Metric]:
    return [m for m in METRICS if apps.is_installed(f"phongdich.{m.app}")]
