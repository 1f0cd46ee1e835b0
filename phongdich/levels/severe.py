"""218's new cases needing oxygen or ventilation, read from the facilities' stays.

A case counts once, on the local day of its first admission to an oxygen, intensive-care
or ventilator bed, at the commune it lives in (the cases app's record). A stay recorded by
the facility's staff without a case (a register number only) counts at the facility's own
commune, once per stay. Each commune's counts are added to its district and the province
(their paths), so every unit is read on its own totals like the other inputs."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Min
from django.utils import timezone

SEVERE_BEDS = ("oxygen", "icu", "ventilator")


def _bounds(first: date, last: date):
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return start, end


def new_severe_by_day(units, first: date, last: date) -> dict[int, dict[date, int]]:
    """{unit id: {day: new severe cases}} for the days first..last (three queries)."""
    from phongdich.facilities.models import Stay

    start, end = _bounds(first, last)
    by_code = {u.code: u.pk for u in units}
    commune_of: list[tuple[int | None, datetime]] = []
    firsts = (
        Stay.objects.filter(bed_type__in=SEVERE_BEDS, case_id__isnull=False)
        .values("case_id")
        .annotate(first=Min("admitted_at"))
        .filter(first__gte=start, first__lt=end)
        .values_list("case_id", "first")
    )
    firsts = dict(firsts)
    if firsts:
        try:
            from phongdich.cases.models import Case
        except (ImportError, RuntimeError):  # a deployment without cases
            Case = None
        if Case is not None:
            homes = dict(
                Case.objects.filter(pk__in=list(firsts)).values_list("pk", "commune__path")
            )
            commune_of.extend((homes.get(case_id), at) for case_id, at in firsts.items())
    commune_of.extend(
        Stay.objects.filter(
            bed_type__in=SEVERE_BEDS,
            case_id__isnull=True,
            admitted_at__gte=start,
            admitted_at__lt=end,
        ).values_list("facility__unit__path", "admitted_at")
    )
    out: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for path, at in commune_of:
        if not path:
            continue
        day = timezone.localtime(at).date()
        for code in path.strip("/").split("/"):
            unit_id = by_code.get(code)
            if unit_id is not None:
                out[unit_id][day] += 1
    return out


def window_sum(counts: dict[date, int], day: date, days: int = 7) -> int:
    return sum(counts.get(day - timedelta(days=i), 0) for i in range(days))
