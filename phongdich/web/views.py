from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from phongdich.accounts.permissions import ALL_STAFF, public_view, role_required

from . import home_panels


@require_GET
def root(request):
    return redirect("home" if request.user.is_authenticated else "login")


@role_required(*ALL_STAFF)
def home(request):
    """One page per role: each app contributes panels for the roles it serves."""
    return render(request, "web/home.html", {"panels": home_panels.panels_for(request)})


def _reference_target(user, kind, obj) -> str | None:
    """Where staff go for a reference's record: the app's own page, through the app's scoped
    selector, so a record outside the user's jurisdiction is "not found" like a missing one."""
    from django.http import Http404
    from django.urls import reverse

    try:
        if kind.prefix in ("F0", "TD"):
            from phongdich.cases import selectors as cases

            case = cases.case_get(user, obj.pk if kind.prefix == "F0" else obj.case_id)
            return reverse("cases:detail", args=[case.pk])
        if kind.prefix == "1022":
            from phongdich.hotline import selectors as hotline

            return reverse("hotline:ticket", args=[hotline.ticket_get(user, obj.pk).pk])
        if kind.prefix == "HT":
            from phongdich.hotline import selectors as hotline

            return reverse("hotline:relief_detail", args=[hotline.relief_get(user, obj.pk).pk])
    except Http404:
        return None
    return None


@require_GET
@role_required(*ALL_STAFF)
def reference_lookup(request):
    """Staff type the reference a citizen reads out and land on the record (lib.references)."""
    from django.apps import apps

    from phongdich.lib.references import reference_find

    query = request.GET.get("q", "")[:40]
    context = {"q": query}
    if query:
        kind, obj = reference_find(query)
        if kind is None:
            context["error"] = _("Không đúng dạng số tham chiếu (ví dụ F0-2612-7KQ3AB).")
        elif kind.prefix == "KB":
            # Declarations are found at the checkpoint by their six-character code.
            context["declaration_code"] = obj.code if obj else None
            if obj is None:
                context["error"] = _(
                    "Không tìm thấy hồ sơ với số tham chiếu này trong phạm vi của bạn."
                )
        else:
            app = kind.model.split(".")[0]
            target = (
                _reference_target(request.user, kind, obj)
                if obj is not None and apps.is_installed(f"phongdich.{app}")
                else None
            )
            if target:
                return redirect(target)
            context["error"] = _(
                "Không tìm thấy hồ sơ với số tham chiếu này trong phạm vi của bạn."
            )
    return render(request, "web/reference.html", context)
@public_view
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; answer it rather than log a
    404 per visit. The same file the pages link to (<link rel=icon>)."""
    path = finders.find("web/favicon.ico")
    if path is None:
        raise Http404
    response = FileResponse(open(path, "rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _error(template: str, status: int):
    def view(request, exception=None):
        return render(request, template, status=status)

    return view


def error_400(request, exception=None):
    # A bad request can be refused before the session and user are read (RejectNul
    # middleware, a bad Host): render without the request's context processors.
    return HttpResponseBadRequest(render_to_string("400.html"))


error_403 = _error("403.html", 403)
error_404 = _error("404.html", 404)
error_500 = _error("500.html", 500)
