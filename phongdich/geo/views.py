from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import ADMIN_ROLES, ALL_STAFF, role_required
from phongdich.lib.files import xlsx_response
from phongdich.lib.imports import ErrorReport, FileRefused

from . import services
from .selectors import units_within

POPULATION_ERRORS_KEY = "geo_population_errors"


@role_required(*ALL_STAFF)
def units(request, code: str | None = None):
    """The jurisdiction's units as a table (maps need imported GeoJSON; see docs)."""
    root = request.user.jurisdiction
    if root is None:
        raise Http404
    unit = root
    if code:
        unit = units_within(root).filter(code=code).first()
        if unit is None:
            raise Http404
    children = list(unit.children.order_by("code"))
    return render(
        request,
        "geo/units.html",
        {"unit": unit, "children": children, "ancestors": unit.ancestors()},
    )


@role_required(*ADMIN_ROLES)
def population_import(request):
    result = refusal = None
    if request.method == "POST" and request.FILES.get("file"):
        try:
            result = services.population_import(
                by=request.user,
                upload=request.FILES["file"],
                all_or_nothing=request.POST.get("mode") == "all",
            )
        except FileRefused as exc:
            refusal = exc.messages[0]
        else:
            if result.refused:
                refusal = result.refusal
            else:
                messages.success(
                    request, _("Đã cập nhật dân số %(n)s đơn vị.") % {"n": result.updated}
                )
                if not result.errors:
                    return redirect("geo:units")
            request.session[POPULATION_ERRORS_KEY] = result.errors.as_dict()
    return render(request, "geo/population_import.html", {"result": result, "refusal": refusal})


@role_required(*ADMIN_ROLES)
def population_import_errors(request):
    """The last population import's error report as a spreadsheet."""
    report = ErrorReport.from_dict(request.session.get(POPULATION_ERRORS_KEY))
    return xlsx_response(report.workbook(), "loi-nhap-dan-so.xlsx")
