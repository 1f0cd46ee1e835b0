from datetime import datetime

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import ADMIN_ROLES, role_required
from phongdich.lib.files import xlsx_response
from phongdich.lib.pagination import keyset_page
from phongdich.lib.xlsx import build_workbook

from .labels import actor_name, event_sentence, event_target
from .models import AuditEvent
from .selectors import audit_events_visible_to


def _filters(request) -> dict:
    day = None
    raw_day = request.GET.get("day", "").strip()
    if raw_day:
        try:
            day = datetime.strptime(raw_day, "%d/%m/%Y").date()
        except ValueError:
            day = None
    return {
        "actor": request.GET.get("actor", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "target": request.GET.get("target", "").strip(),
        "kind": request.GET.get("kind", "").strip(),
        "day": day,
    }


def _without(params, *names) -> str:
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


@role_required(*ADMIN_ROLES)
def events(request):
    filters = _filters(request)
    qs = audit_events_visible_to(request.user, **filters)
    if request.GET.get("format") == "xlsx":
        rows = (
            (
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
            for e in qs[:50000]
        )
        content = build_workbook(
            "Nhat ky",
            [
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
            ],
            rows,
        )
        return xlsx_response(content, "nhat-ky.xlsx")
    # Keyset pages and a capped count: the log grows by a million events a month at
    # province volume, and neither an OFFSET nor a COUNT(*) over it stays fast.
    page = keyset_page(qs, next=request.GET.get("next"), prev=request.GET.get("prev"))
    for event in page:
        event.sentence = event_sentence(event)
        event.actor_shown = actor_name(event)
        # The record by its kind and id (or a person's, a place's name): a stored label may
        # carry codes from before the models named themselves in words.
        event.target_shown = event_target(event)
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "filters": filters,
            "kinds": AuditEvent.Kind.choices,
            "query": _without(request.GET, "next", "prev", "page"),
        },
    )
