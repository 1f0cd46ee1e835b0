"""The briefing's sections, each built from precomputed figures (stats.UnitFigure, the
vaccination coverage table) or one aggregate query, never from personal records.

A section is a dict the three renderers (PDF, DOCX, XLSX) read alike:
    {"key", "title", "lines": [[label, value]], "notes": [text],
     "tables": [{"title", "columns": [...], "rows": [[...]]}]}
Apps that land later add theirs in `<app>/briefing.py` (`ORDER`, `section(unit, day_from,
day_to)`), so the briefing grows with the platform without this file knowing them.
"""

from collections import defaultdict
from datetime import date, timedelta
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from phongdich.geo.models import AdminUnit
from phongdich.stats.metrics import FLOW, METRICS
from phongdich.stats.models import UnitFigure

KINDS = {m.code: m.kind for m in METRICS}


def _installed(app: str) -> bool:
    return apps.is_installed(f"phongdich.{app}")


def figures(units: list[AdminUnit], codes: list[str], day_from: date, day_to: date) -> dict:
    """{unit id: {code: value}}: flows summed over the range, levels as at its last day.
    One query over the rolled-up figures."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = UnitFigure.objects.filter(
        unit__in=units, metric__in=codes, day__gte=day_from, day__lte=day_to
    ).values_list("unit_id", "metric", "day", "value")
    for unit_id, metric, day, value in rows:
        if KINDS.get(metric) == FLOW:
            out[unit_id][metric] += value
        elif day == day_to:
            out[unit_id][metric] = value
    return out


def _percent(share: float) -> str:
    """A share as the paper writes it: one decimal, a decimal comma ("12,5%")."""
    return f"{share * 100:.1f}%".replace(".", ",")


def _children(unit: AdminUnit) -> list[AdminUnit]:
    return list(unit.children.order_by("code"))


def _table(title, unit, children, codes_labels, values) -> dict:
    rows = [
        [child.name, *[values.get(child.pk, {}).get(code, 0) for code, _l in codes_labels]]
        for child in children
    ]
    rows.append(["Tổng", *[values.get(unit.pk, {}).get(code, 0) for code, _l in codes_labels]])
    return {
        "title": title,
        "columns": ["Đơn vị", *[label for _c, label in codes_labels]],
        "rows": rows,
    }


def situation(unit, day_from, day_to) -> dict | None:
    if not _installed("cases"):
        return None
    codes = {
        "cases.new": "Ca mắc mới",
        "cases.new_community": "trong cộng đồng",
        "cases.new_quarantine": "trong khu cách ly",
        "cases.new_screening": "qua xét nghiệm sàng lọc",
        "cases.recovered": "Khỏi bệnh",
        "cases.deaths_pcr": "Tử vong (khẳng định RT-PCR)",
        "cases.active_home": "Đang điều trị tại nhà",
        "cases.active_facility": "Đang điều trị tại cơ sở",
    }
    children = _children(unit)
    values = figures([unit, *children], list(codes), day_from, day_to)
    own = values.get(unit.pk, {})
    lines = [[label, own.get(code, 0)] for code, label in codes.items()]
    community, total = own.get("cases.new_community", 0), own.get("cases.new", 0)
    notes = []
    if total:
        notes.append(
            f"{community}/{total} ca mới phát hiện trong cộng đồng "
            f"({round(community * 100 / total)}%)."
        )
    table_codes = [
        ("cases.new", "Ca mới"),
        ("cases.new_community", "Cộng đồng"),
        ("cases.active_home", "Điều trị tại nhà"),
        ("cases.active_facility", "Điều trị tại cơ sở"),
        ("cases.deaths_pcr", "Tử vong"),
    ]
    return {
        "key": "situation",
        "title": "Tình hình dịch",
        "lines": lines,
        "notes": notes,
        "tables": [_table("Theo đơn vị", unit, children, table_codes, values)] if children else [],
    }


def care_and_capacity(unit, day_from, day_to) -> dict | None:
    codes = {
        "cases.danger_alerts": "Cảnh báo nguy hiểm mới",
        "cases.danger_alerts_in_time": "trong đó xử lý trong 15 phút",
        "cases.danger_alerts_open": "Cảnh báo nguy hiểm chưa xử lý (cuối kỳ)",
        "facilities.free_regular": "Giường thường còn trống",
        "facilities.free_oxygen": "Giường có oxy còn trống",
        "facilities.free_icu": "Giường hồi sức còn trống",
        "facilities.free_ventilator": "Giường thở máy còn trống",
    }
    available = {c: label for c, label in codes.items() if _installed(c.split(".")[0])}
    children = _children(unit)
    values = figures(
        [unit, *children],
        [*available, "supplies.oxygen_balance", "supplies.oxygen_per_day"],
        day_from,
        day_to,
    )
    own = values.get(unit.pk, {})
    lines = [[label, own.get(code, 0)] for code, label in available.items()]
    per_day = own.get("supplies.oxygen_per_day", 0)
    if _installed("supplies"):
        days = round(own.get("supplies.oxygen_balance", 0) / per_day, 1) if per_day else None
        lines.append(["Số ngày đủ oxy lỏng", days if days is not None else "chưa có mức dùng"])
    beds = [
        ("facilities.free_regular", "Thường"),
        ("facilities.free_oxygen", "Có oxy"),
        ("facilities.free_icu", "Hồi sức"),
        ("facilities.free_ventilator", "Thở máy"),
    ]
    tables = [_table("Giường còn trống theo đơn vị", unit, children, beds, values)]
    return {
        "key": "care",
        "title": "Điều trị, chăm sóc và năng lực điều trị",
        "lines": lines,
        "notes": [],
        "tables": tables if children else [],
    }


def vaccination(unit, day_from, day_to) -> dict | None:
    if not _installed("vaccination"):
        return None
    from phongdich.vaccination.models import CoverageBand, CoverageFigure

    children = _children(unit)
    latest = (
        CoverageFigure.objects.filter(unit=unit, day__lte=day_to)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if latest is None:
        return {
            "key": "vaccination",
            "title": "Tiêm chủng",
            "lines": [],
            "notes": ["Chưa có số liệu bao phủ vắc xin được tổng hợp."],
            "tables": [],
        }
    wanted = {
        (CoverageBand.AGE_18_PLUS, "at_least_one"): "Từ 18 tuổi, ít nhất 1 mũi",
        (CoverageBand.AGE_50_PLUS, "full"): "Từ 50 tuổi, đủ liều cơ bản",
        (CoverageBand.ALL, "full"): "Toàn dân, đủ liều cơ bản",
        (CoverageBand.ALL, "boosted"): "Toàn dân, đã tiêm nhắc lại",
    }
    shares: dict[int, dict] = defaultdict(dict)
    for figure in CoverageFigure.objects.filter(
        unit__in=[unit, *children], day=latest, band__in={b for b, _f in wanted}
    ):
        for (band, field), label in wanted.items():
            if figure.band == band:
                share = figure.share(field)
                shares[figure.unit_id][label] = (
                    _percent(share) if share is not None else "—"
                )
    labels = list(wanted.values())
    rows = [[c.name, *[shares[c.pk].get(label, "—") for label in labels]] for c in children]
    return {
        "key": "vaccination",
        "title": "Tiêm chủng",
        "lines": [[label, shares[unit.pk].get(label, "—")] for label in labels],
        "notes": [f"Số liệu bao phủ tổng hợp ngày {latest:%d/%m/%Y}."],
        "tables": [{"title": "Theo đơn vị", "columns": ["Đơn vị", *labels], "rows": rows}]
        if children
        else [],
    }


def hotline_and_checkpoints(unit, day_from, day_to) -> dict | None:
    codes = {
        "hotline.tickets": "Phiếu 1022 mới",
        "hotline.backlog": "Phiếu 1022 tồn đọng (cuối kỳ)",
        "hotline.overdue": "trong đó quá hạn xử lý",
        "checkpoints.passages": "Lượt qua chốt kiểm soát",
    }
    available = {c: label for c, label in codes.items() if _installed(c.split(".")[0])}
    if not available:
        return None
    own = figures([unit], list(available), day_from, day_to).get(unit.pk, {})
    return {
        "key": "services",
        "title": "Tổng đài 1022 và chốt kiểm soát",
        "lines": [[label, own.get(code, 0)] for code, label in available.items()],
        "notes": [],
        "tables": [],
    }


def testing_tracing_quarantine(unit, day_from, day_to) -> dict | None:
    """Samples and positives, contacts listed and people in quarantine, by district."""
    codes = {
        "labtests.samples": "Mẫu xét nghiệm đã lấy",
        "labtests.positives": "Mẫu dương tính",
        "tracing.contacts": "Tiếp xúc được lập danh sách",
        "quarantine.active": "Người đang cách ly (cuối kỳ)",
    }
    available = {c: label for c, label in codes.items() if _installed(c.split(".")[0])}
    if not available:
        return None
    children = _children(unit)
    values = figures([unit, *children], list(available), day_from, day_to)
    own = values.get(unit.pk, {})
    samples, positives = own.get("labtests.samples", 0), own.get("labtests.positives", 0)
    notes = []
    if samples:
        notes.append(f"Tỷ lệ mẫu dương tính: {_percent(positives / samples)}.")
    return {
        "key": "testing",
        "title": "Xét nghiệm, truy vết và cách ly",
        "lines": [[label, own.get(code, 0)] for code, label in available.items()],
        "notes": notes,
        "tables": [_table("Theo đơn vị", unit, children, list(available.items()), values)]
        if children
        else [],
    }


AT_RISK_DAYS = 3


def directives_follow_up(unit, day_from, day_to) -> dict | None:
    """The follow-up of the committee's previous conclusions: done, late, at risk (due in
    the next AT_RISK_DAYS days and not reported done), and the late ones by lead unit."""
    if not _installed("directives"):
        return None
    from django.db.models import Count, Q

    from phongdich.directives.models import Task, TaskAssignment

    confirmed = Task.objects.filter(is_draft=False)
    not_done = ~Q(status__in=Task.DONE_STATUSES)
    counts = confirmed.aggregate(
        done=Count(
            "pk", filter=Q(completed_at__date__gte=day_from, completed_at__date__lte=day_to)
        ),
        late=Count("pk", filter=not_done & Q(deadline__lt=day_to)),
        at_risk=Count(
            "pk",
            filter=not_done
            & Q(deadline__gte=day_to, deadline__lte=day_to + timedelta(days=AT_RISK_DAYS)),
        ),
        open=Count("pk", filter=not_done),
    )
    late_by_unit = (
        TaskAssignment.objects.filter(
            role=TaskAssignment.Role.LEAD,
            task__is_draft=False,
            task__deadline__lt=day_to,
        )
        .exclude(task__status__in=Task.DONE_STATUSES)
        .values("name")
        .annotate(n=Count("task", distinct=True))
        .order_by("-n", "name")[:15]
    )
    return {
        "key": "directives",
        "title": "Kết quả thực hiện kết luận của Ban Chỉ đạo",
        "lines": [
            ["Nhiệm vụ hoàn thành trong kỳ", counts["done"]],
            ["Nhiệm vụ quá hạn chưa hoàn thành", counts["late"]],
            [f"Nhiệm vụ đến hạn trong {AT_RISK_DAYS} ngày tới", counts["at_risk"]],
            ["Nhiệm vụ đang thực hiện", counts["open"]],
        ],
        "notes": [],
        "tables": [
            {
                "title": "Đơn vị chủ trì có nhiệm vụ quá hạn",
                "columns": ["Đơn vị chủ trì", "Số nhiệm vụ quá hạn"],
                "rows": [[r["name"], r["n"]] for r in late_by_unit],
            }
        ]
        if late_by_unit
        else [],
    }


BUILT_IN = (
    (10, situation),
    (30, care_and_capacity),
    (40, vaccination),
    (60, testing_tracing_quarantine),
    (70, hotline_and_checkpoints),
    (90, directives_follow_up),
)


def builders():
    """The built-in sections and those of installed apps' `briefing.py`, in order."""
    found = list(BUILT_IN)
    for config in apps.get_app_configs():
        if config.name.startswith("phongdich.") and module_has_submodule(config.module, "briefing"):
            module = import_module(f"{config.name}.briefing")
            found.append((getattr(module, "ORDER", 50), module.section))
    return [build for _order, build in sorted(found, key=lambda pair: pair[0])]
