from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from phongdich.accounts.permissions import ADMIN_ROLES, ALL_STAFF, role_required
from phongdich.lib import exports as registry
from phongdich.lib.files import XLSX, content_disposition
from phongdich.lib.pagination import keyset_page

from . import exports
from .labels import actor_name, event_sentence, event_target
from .models import AuditEvent, Export
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
        # Built by the worker: a log of millions of events does not fit a request.
        params = {**filters, "day": filters["day"].isoformat() if filters["day"] else ""}
        return _export_and_follow(request, "audit.events", params, "audit:events")
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


# --- background exports (lib.exports) ------------------------------------------------------


def _export_and_follow(request, kind: str, params: dict, back: str, *back_args):
    """Ask for an export and go to its progress page; a refusal (too many being built)
    goes back to the page with the reason."""
    try:
        export = exports.export_request(by=request.user, kind=kind, params=params)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back, *back_args)
    return redirect("audit:export", pk=export.pk)


# Exports are asked for from many apps' pages; the file is its owner's only, so any staff
# role may follow its own.
@role_required(*ALL_STAFF)
def export_list(request):
    mine = list(Export.objects.filter(owner=request.user).order_by("-id")[:30])
    for export in mine:
        export.title = _kind_title(export)
    return render(request, "audit/exports.html", {"exports": mine})


@role_required(*ALL_STAFF)
def export_status(request, pk: int):
    export = exports.export_for(request.user, pk)
    if export is None:
        raise Http404
    context = {
        "export": export,
        "title": _kind_title(export),
        "available": exports.export_available(export),
    }
    if request.htmx:
        return render(request, "audit/_export_status.html", context)
    return render(request, "audit/export.html", context)


@role_required(*ALL_STAFF)
def export_download(request, pk: int):
    export = exports.export_for(request.user, pk)
    if export is None:
        raise Http404
    try:
        handle = exports.export_download(by=request.user, export=export)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("audit:export", pk=export.pk)
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(export.filename or "export.xlsx")
    return response


def _kind_title(export) -> str:
    spec = registry.get_kind(export.kind)
    return str(spec.title) if spec else export.kind
