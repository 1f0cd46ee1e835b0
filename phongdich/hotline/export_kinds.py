"""The 1022 day export (every ticket created on a day), built by the worker (lib.exports).
Aggregate columns only: no caller names or phones leave the system in this export."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.lib import exports

from . import selectors
from .roles import OVERSIGHT_ROLES


def _day(params: dict) -> date:
    try:
        return date.fromisoformat(params.get("date") or "")
    except (TypeError, ValueError):
        return timezone.localdate()


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _rows(user, day: date):
    now = timezone.now()
    for t in selectors.tickets_created_on(user, day).iterator(chunk_size=2000):
        yield (
            t.pk,
            _when(t.created_at),
            t.get_channel_display(),
            t.category.name,
            t.priority,
            t.get_status_display(),
            t.commune.name if t.commune_id else "",
            t.assigned_unit.name if t.assigned_unit_id else "",
            _when(t.due_at),
            _when(t.first_response_at),
            _when(t.resolved_at),
            "x" if (t.resolved_at or now) > t.due_at else "",
        )


def _sheets(user, params: dict):
    day = _day(params)
    header = [
        _("Mã phiếu"),
        _("Thời điểm"),
        _("Kênh"),
        _("Nhánh"),
        _("Ưu tiên"),
        _("Trạng thái"),
        _("Xã/phường"),
        _("Đơn vị"),
        _("Hạn xử lý"),
        _("Trả lời đầu"),
        _("Giải quyết"),
        _("Quá hạn"),
    ]
    return [(f"1022 {day:%d-%m-%Y}", header, _rows(user, day))]


HOTLINE_DAY = exports.register(
    exports.ExportKind(
        name="hotline.day",
        title=gettext_lazy("Phiếu 1022 trong ngày"),
        roles=OVERSIGHT_ROLES,
        sheets=_sheets,
        estimate=lambda user, params: selectors.tickets_created_on(user, _day(params)).count(),
        filename=lambda params: f"1022-{_day(params):%Y-%m-%d}.xlsx",
    )
)
