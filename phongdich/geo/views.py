from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import ADMIN_ROLES, ALL_STAFF, role_required

from . import services
from .selectors import units_within


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
    result = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        result = services.population_import(
            by=request.user,
            file_name=upload.name,
            content=upload.read(),
            all_or_nothing=request.POST.get("mode") == "all",
        )
        if result.errors and request.POST.get("mode") == "all":
            messages.error(request, _("Tệp có lỗi nên không nhập dòng nào."))
        else:
            messages.success(request, _("Đã cập nhật dân số %(n)s đơn vị.") % {"n": result.updated})
            if not result.errors:
                return redirect("geo:units")
    return render(request, "geo/population_import.html", {"result": result})
