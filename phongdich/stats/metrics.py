"""The daily figures, each computed for a whole day with one GROUP BY.

Every metric names the app it reads; a deployment without that app simply has no such
figure. Days are local days (Asia/Ho_Chi_Minh).

Two kinds:
- FLOW: what happened on the day (new F0, tickets opened); recomputable for any past day.
- STOCK: a level at the end of the day (F0 under care, open alerts, 1022 backlog). Those
  the records date (a case's diagnosis and release, an alert's opening and closing) are
  recomputed like flows; SNAPSHOT ones (free beds, oxygen in stock) can only be read now,
  so they are written for today and past days keep the value written on that day.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FLOW, STOCK, SNAPSHOT = "flow", "stock", "snapshot"


@dataclass(frozen=True)
class Metric:
    code: str
    label: str | Promise
    app: str
    compute: Callable[[date], Iterable[tuple[int, int]]]  # -> (unit_id, value)
    kind: str = FLOW


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


def _day_end(day: date) -> datetime:
    return _day_bounds(day)[1]


def _new_by_detection(setting: str):
    def compute(day):
        from phongdich.cases.models import Case, CaseStatus

        return _grouped(
            Case.objects.filter(diagnosed_on=day, detection=setting).exclude(
                status=CaseStatus.PENDING
            ),
            "commune_id",
        )

    return compute


def _active_cases(at_home: bool):
    """F0 under care at the end of the day: confirmed by then, not yet released, not dead
    by then. The place is today's (a case's past places are in its transfers)."""

    def compute(day):
        from phongdich.cases.models import Case, CaseStatus, TreatmentPlace

        qs = (
            Case.objects.filter(diagnosed_on__lte=day)
            .exclude(status=CaseStatus.PENDING)
            .filter(Q(released_on__isnull=True) | Q(released_on__gt=day))
            .exclude(death__died_on__lte=day)
        )
        place = Q(treatment_place=TreatmentPlace.HOME)
        return _grouped(qs.filter(place) if at_home else qs.exclude(place), "commune_id")

    return compute


def _danger_alerts_open(day):
    from phongdich.cases.models import Alert

    end = _day_end(day)
    return _grouped(
        Alert.objects.filter(kind=Alert.Kind.DANGER, created_at__lt=end).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=end)
        ),
        "case__commune_id",
    )


def _danger_alerts_raised(day):
    from phongdich.cases.models import Alert

    start, end = _day_bounds(day)
    return _grouped(
        Alert.objects.filter(kind=Alert.Kind.DANGER, created_at__gte=start, created_at__lt=end),
        "case__commune_id",
    )


def _danger_alerts_in_time(day):
    """Danger alerts of the day taken up (acknowledged or closed) within the shortest
    service level of the 1022 line (P1), which is how fast the linked ticket is due."""
    from phongdich.cases.models import Alert

    start, end = _day_bounds(day)
    limit = timedelta(minutes=DANGER_ALERT_MINUTES)
    return _grouped(
        Alert.objects.filter(
            kind=Alert.Kind.DANGER, created_at__gte=start, created_at__lt=end
        ).filter(
            Q(acknowledged_at__lte=F("created_at") + limit)
            | Q(acknowledged_at__isnull=True, closed_at__lte=F("created_at") + limit)
        ),
        "case__commune_id",
    )


def _hotline_backlog(overdue: bool):
    def compute(day):
        from phongdich.hotline.models import Ticket

        end = _day_end(day)
        qs = Ticket.objects.filter(created_at__lt=end, commune__isnull=False).filter(
            Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)
        )
        if overdue:
            qs = qs.filter(due_at__lt=end)
        return _grouped(qs, "commune_id")

    return compute


def _free_beds(bed_type: str):
    def compute(day):
        from phongdich.facilities.models import BED_COLUMNS, Facility
        from phongdich.facilities.selectors import TREATING_KINDS

        total, occupied = BED_COLUMNS[bed_type]
        rows = (
            Facility.objects.filter(is_active=True, kind__in=TREATING_KINDS)
            .values_list("unit_id")
            .annotate(free=Sum(Greatest(F(total) - F(occupied), Value(0))))
        )
        return [(unit_id, free or 0) for unit_id, free in rows]

    return compute


def _oxygen(field: str):
    """Liquid oxygen held (balance) and used per day over the rate window, per unit of the
    place holding it; days of supply is their ratio, summed over any area."""

    def compute(day):
        from phongdich.supplies.models import Place
        from phongdich.supplies.selectors import stock_lines

        out: dict[int, float] = {}
        places = Place.objects.select_related("unit__parent", "facility")
        for line in stock_lines(places):
            if line.item.kind != OXYGEN_KIND:
                continue
            value = line.supply.balance if field == "balance" else line.supply.per_day
            out[line.place.unit_id] = out.get(line.place.unit_id, 0) + float(value)
        return [(unit_id, round(value)) for unit_id, value in out.items()]

    return compute


# The hotline's P1 service level (hotline.rules): a danger alert is its P1 ticket.
DANGER_ALERT_MINUTES = 15
OXYGEN_KIND = "liquid_oxygen"


def _in_quarantine(day):
    """People in quarantine at the end of the day: started by then, not ended by then."""
    from phongdich.quarantine.models import Quarantine

    end = _day_end(day)
    return _grouped(
        Quarantine.objects.filter(start_date__lte=day).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=end)
        ),
        "commune_id",
    )


def _samples_taken(day):
    from phongdich.labtests.models import Sample

    start, end = _day_bounds(day)
    return _grouped(Sample.objects.filter(taken_at__gte=start, taken_at__lt=end), "commune_id")


def _samples_positive(day):
    """Individual samples found positive on the day (a positive pool is not a person yet)."""
    from phongdich.labtests.models import Result, Sample

    start, end = _day_bounds(day)
    return _grouped(
        Sample.objects.filter(
            resulted_at__gte=start, resulted_at__lt=end, result=Result.POSITIVE, presumptive=False
        ),
        "commune_id",
    )


def _contacts_listed(day):
    from phongdich.tracing.models import Contact

    start, end = _day_bounds(day)
    return _grouped(Contact.objects.filter(created_at__gte=start, created_at__lt=end), "commune_id")


METRICS = (
    Metric("cases.new", _("F0 mới"), "cases", _new_cases),
    Metric("cases.new_community", _("F0 mới trong cộng đồng"), "cases", _new_community_cases),
    Metric("cases.recovered", _("Khỏi bệnh"), "cases", _recovered),
    Metric("cases.deaths_pcr", _("Tử vong (PCR khẳng định)"), "cases", _deaths_pcr),
    Metric("hotline.tickets", _("Phiếu 1022 mới"), "hotline", _tickets),
    Metric("checkpoints.passages", _("Lượt qua chốt"), "checkpoints", _passages),
    Metric(
        "cases.new_quarantine",
        _("F0 mới phát hiện trong khu cách ly"),
        "cases",
        _new_by_detection("quarantine"),
    ),
    Metric(
        "cases.new_screening",
        _("F0 mới qua xét nghiệm sàng lọc"),
        "cases",
        _new_by_detection("screening"),
    ),
    Metric("cases.danger_alerts", _("Cảnh báo nguy hiểm mới"), "cases", _danger_alerts_raised),
    Metric(
        "cases.danger_alerts_in_time",
        _("Cảnh báo nguy hiểm được xử lý kịp thời"),
        "cases",
        _danger_alerts_in_time,
    ),
    Metric("cases.active_home", _("F0 đang điều trị tại nhà"), "cases", _active_cases(True), STOCK),
    Metric(
        "cases.active_facility",
        _("F0 đang điều trị tại cơ sở"),
        "cases",
        _active_cases(False),
        STOCK,
    ),
    Metric(
        "cases.danger_alerts_open",
        _("Cảnh báo nguy hiểm chưa xử lý"),
        "cases",
        _danger_alerts_open,
        STOCK,
    ),
    Metric("hotline.backlog", _("Phiếu 1022 tồn đọng"), "hotline", _hotline_backlog(False), STOCK),
    Metric(
        "hotline.overdue", _("Phiếu 1022 quá hạn xử lý"), "hotline", _hotline_backlog(True), STOCK
    ),
    Metric(
        "facilities.free_regular",
        _("Giường thường còn trống"),
        "facilities",
        _free_beds("regular"),
        SNAPSHOT,
    ),
    Metric(
        "facilities.free_oxygen",
        _("Giường có oxy còn trống"),
        "facilities",
        _free_beds("oxygen"),
        SNAPSHOT,
    ),
    Metric(
        "facilities.free_icu",
        _("Giường hồi sức còn trống"),
        "facilities",
        _free_beds("icu"),
        SNAPSHOT,
    ),
    Metric(
        "facilities.free_ventilator",
        _("Giường thở máy còn trống"),
        "facilities",
        _free_beds("ventilator"),
        SNAPSHOT,
    ),
    Metric(
        "supplies.oxygen_balance",
        _("Oxy lỏng tồn kho"),
        "supplies",
        _oxygen("balance"),
        SNAPSHOT,
    ),
    Metric(
        "supplies.oxygen_per_day",
        _("Oxy lỏng dùng mỗi ngày"),
        "supplies",
        _oxygen("per_day"),
        SNAPSHOT,
    ),
    Metric("quarantine.active", _("Người đang cách ly"), "quarantine", _in_quarantine, STOCK),
    Metric("labtests.samples", _("Mẫu xét nghiệm đã lấy"), "labtests", _samples_taken),
    Metric("labtests.positives", _("Mẫu dương tính"), "labtests", _samples_positive),
    Metric("tracing.contacts", _("Tiếp xúc được lập danh sách"), "tracing", _contacts_listed),
)


def active_metrics(*kinds: str) -> list[Metric]:
    return [
        m
        for m in METRICS
        if apps.is_installed(f"phongdich.{m.app}") and (not kinds or m.kind in kinds)
    ]
