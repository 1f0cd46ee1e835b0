from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
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
