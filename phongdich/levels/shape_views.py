"""The health department's upload of unit outlines (GeoJSON) for the level map."""

from django.shortcuts import render

from phongdich.accounts.permissions import role_required
from phongdich.lib.files import xlsx_response
from phongdich.lib.imports import ErrorReport

from . import shapes
from .forms import ShapeImportForm
from .models import UnitShape

ERRORS_KEY = "levels.shapes_import_errors"


@role_required(*shapes.IMPORT_ROLES)
def shapes_import(request):
    shapes.check_may_import(request.user)
    form = ShapeImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = shapes.import_shapes(
            by=request.user, upload=form.cleaned_data["file"], mode=form.cleaned_data["mode"]
        )
        request.session[ERRORS_KEY] = result.errors.as_dict()
    return render(
        request,
        "levels/shapes_import.html",
        {
            "form": form,
            "result": result,
            "stored": UnitShape.objects.count(),
            "max_mb": shapes.MAX_BYTES // (1024 * 1024),
        },
        status=400 if result is not None and result.refused else 200,
    )


@role_required(*shapes.IMPORT_ROLES)
def shapes_import_errors(request):
    shapes.check_may_import(request.user)
    report = ErrorReport.from_dict(request.session.get(ERRORS_KEY))
    return xlsx_response(report.workbook(), "loi-nhap-ranh-gioi.xlsx")
