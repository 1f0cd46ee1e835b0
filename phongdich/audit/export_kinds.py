"""The audit log's export, built by the worker (lib.exports)."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.accounts.permissions import ADMIN_ROLES
from phongdich.lib import exports

from .labels import event_sentence
from .selectors import audit_events_visible_to

FILTERS = ("actor", "action", "target", "kind")


def _events(user, params: dict):
    filters = {name: str(params.get(name, ""))[:200] for name in FILTERS}
    day = params.get("day")
    try:
        filters["day"] = date.fromisoformat(day) if day else None
    except (TypeError, ValueError):
        filters["day"] = None
    return audit_events_visible_to(user, **filters)


def _rows(qs):
    # Streamed in chunks: a cached queryset of a million events is what cost 159 MB.
    for e in qs.iterator(chunk_size=2000):
        yield (
            timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
            e.actor_label,
            e.get_kind_display(),
            event_sentence(e),
            e.target_type,
            e.target_id,
            e.target_label,
            e.ip or "",
            e.changes,  # written as "key: value; …" by lib.xlsx, not as a repr
            e.action,  # the code, for filtering in a spreadsheet
        )


def header() -> list[str]:
    return [
        _("Thời gian"),
        _("Người thực hiện"),
        _("Loại"),
        _("Hành động"),
        _("Đối tượng"),
        _("Mã"),
        _("Mô tả"),
        "IP",
        _("Thay đổi"),
        _("Mã hành động"),
    ]


AUDIT_EVENTS = exports.register(
    exports.ExportKind(
        name="audit.events",
        title=gettext_lazy("Nhật ký truy cập và thay đổi"),
        roles=ADMIN_ROLES,
        sheets=lambda user, params: [("Nhat ky", header(), _rows(_events(user, params)))],
        # Counting up to the cap costs one index-only pass, once per export (not per page).
        estimate=lambda user, params: _events(user, params)[: exports.EXCEL_MAX_ROWS].count(),
        filename=lambda params: "nhat-ky.xlsx",
    )
)
