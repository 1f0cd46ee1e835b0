"""Pages of the facility register and the bed board. Facilities and bed figures carry no
personal data; a stay carries only the site's own register number."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.models import Role, User
from phongdich.accounts.permissions import role_required, scope_to_jurisdiction
from phongdich.geo.models import AdminUnit
from phongdich.lib.bounds import pk_or_none

from . import selectors, services
from .forms import (
    AdmitForm,
    CapacityForm,
    FacilityCreateForm,
    FacilityForm,
    OccupancyReportForm,
    ReadinessPlanForm,
    StaffForm,
)
from .models import BedType, Facility, FacilityStaff, ReadinessPlan, Stay

EDITORS = selectors.EDITOR_ROLES
FACILITY_ROLES = (*EDITORS, Role.FACILITY_OFFICER)


def _units_for(user):
    """Units a facility may be placed in: the editor's jurisdiction and below."""
    return scope_to_jurisdiction(AdminUnit.objects.all(), user, "pk")


@role_required(*FACILITY_ROLES)
def facility_list(request):
    if request.user.has_role(Role.FACILITY_OFFICER):
        own = selectors.own_facility_id(request.user)
        if own is None:
            raise Http404
        return redirect("facilities:detail", pk=own)
    facilities = selectors.facilities_for(request.user).order_by("status", "kind", "name")
    status = request.GET.get("status")
    if status in Facility.Status.values:
        facilities = facilities.filter(status=status)
    return render(
        request,
        "facilities/list.html",
        {"facilities": facilities, "statuses": Facility.Status.choices, "status": status},
    )


@role_required(*EDITORS)
def facility_create(request):
    form = FacilityCreateForm(request.POST or None, units=_units_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.facility_create(
                by=request.user, submission=form.submission(request.user), **form.answers()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("facilities:detail", pk=facility.pk)
    return render(request, "facilities/form.html", {"form": form, "facility": None})


@role_required(*EDITORS)
def facility_edit(request, pk):
    facility = selectors.facility_for(request.user, pk)
    initial = {k: getattr(facility, k) for k in services.DESCRIPTION_FIELDS}
    form = FacilityForm(request.POST or None, initial=initial, units=_units_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.facility_update(by=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("facilities:detail", pk=facility.pk)
    return render(request, "facilities/form.html", {"form": form, "facility": facility})


def _detail_context(request, facility, **forms):
    user = request.user
    return {
        "facility": facility,
        "figures": selectors.bed_figures(facility),
        "history": selectors.capacity_history(facility),
        "stays": selectors.open_stays(facility),
        "last_report": selectors.last_report(facility),
        "staff": selectors.facility_staff(facility) if user.has_role(*EDITORS) else [],
        "can_edit": user.has_role(*EDITORS),
        "capacity_form": forms.get("capacity_form") or CapacityForm(),
        "report_form": forms.get("report_form")
        or OccupancyReportForm(initial={"day": timezone.localdate()}),
        "admit_form": forms.get("admit_form") or AdmitForm(),
        "staff_form": forms.get("staff_form") or StaffForm(),
    }


@role_required(*FACILITY_ROLES)
def facility_detail(request, pk):
    facility = selectors.facility_for(request.user, pk)
    return render(request, "facilities/detail.html", _detail_context(request, facility))


@require_POST
@role_required(*EDITORS)
def facility_capacity(request, pk):
    facility = selectors.facility_for(request.user, pk)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.facility_capacity_set(by=request.user, facility=facility, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã cập nhật số giường."))
            return redirect("facilities:detail", pk=facility.pk)
    return render(
        request, "facilities/detail.html", _detail_context(request, facility, capacity_form=form)
    )


@require_POST
@role_required(*FACILITY_ROLES)
def facility_report(request, pk):
    facility = selectors.facility_for(request.user, pk)
    form = OccupancyReportForm(request.POST)
    if form.is_valid():
        try:
            services.facility_occupancy_report(
                by=request.user,
                facility=facility,
                day=form.cleaned_data["day"],
                counts=form.counts(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi số người đang nằm trong ngày."))
            return redirect("facilities:detail", pk=facility.pk)
    return render(
        request, "facilities/detail.html", _detail_context(request, facility, report_form=form)
    )


@require_POST
@role_required(*FACILITY_ROLES)
def facility_source(request, pk):
    facility = selectors.facility_for(request.user, pk)
    source = request.POST.get("source")
    if source not in Facility.Source.values:
        raise Http404
    services.facility_source_set(by=request.user, facility=facility, source=source)
    return redirect("facilities:detail", pk=facility.pk)


@require_POST
@role_required(*FACILITY_ROLES)
def facility_admit(request, pk):
    facility = selectors.facility_for(request.user, pk)
    form = AdmitForm(request.POST)
    if form.is_valid():
        try:
            services.facility_occupy(
                by=request.user,
                facility=facility,
                delta=1,
                bed_type=form.cleaned_data["bed_type"],
                patient_ref=form.cleaned_data["patient_ref"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã nhận một người vào giường."))
            return redirect("facilities:detail", pk=facility.pk)
    return render(
        request, "facilities/detail.html", _detail_context(request, facility, admit_form=form)
    )


@require_POST
@role_required(*FACILITY_ROLES)
def stay_discharge(request, pk, stay):
    facility = selectors.facility_for(request.user, pk)
    record = Stay.objects.filter(facility=facility, pk=stay).first()
    if record is None:
        raise Http404
    try:
        services.stay_discharge(by=request.user, stay=record)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Đã cho ra viện, giường được trả lại."))
    return redirect("facilities:detail", pk=facility.pk)


@require_POST
@role_required(*EDITORS)
def facility_staff(request, pk):
    facility = selectors.facility_for(request.user, pk)
    if request.POST.get("remove"):
        link = FacilityStaff.objects.filter(
            facility=facility, pk=pk_or_none(request.POST["remove"])
        ).first()
        if link is None:
            raise Http404
        services.facility_staff_remove(by=request.user, link=link)
        return redirect("facilities:detail", pk=facility.pk)
    form = StaffForm(request.POST)
    if form.is_valid():
        # Only accounts of the editor's own jurisdiction (or none yet) may be linked.
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        if (
            user is not None
            and user.jurisdiction
            and not user.jurisdiction.is_within(request.user.jurisdiction)
        ):
            user = None
        if user is None:
            form.add_error("username", _("Không tìm thấy tài khoản này trong địa bàn."))
        else:
            try:
                services.facility_staff_add(by=request.user, facility=facility, user=user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("facilities:detail", pk=facility.pk)
    return render(
        request, "facilities/detail.html", _detail_context(request, facility, staff_form=form)
    )


@role_required(*selectors.BOARD_ROLES)
def board(request):
    units = selectors.board_units(request.user)
    unit = selectors.board_unit(request.user, request.GET.get("unit"), units)
    data = selectors.bed_board(unit)
    return render(
        request,
        "facilities/board.html",
        {
            "readiness": selectors.readiness(unit, data.totals, data.staff),
            "board": data,
            "units": units,
            "bed_types": BedType.choices,
            "chart": selectors.trend_chart(data.trend),
            "near_full_share": f"{selectors.NEAR_FULL_SHARE:.0%}",
        },
    )


@role_required(*selectors.BOARD_ROLES)
def plans(request):
    """Readiness plans of the user's unit (or, for the province, one of its districts)."""
    units = selectors.board_units(request.user)
    unit = selectors.board_unit(request.user, request.GET.get("unit"), units)
    can_edit = request.user.has_role(*EDITORS)
    form = ReadinessPlanForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.readiness_plan_create(by=request.user, unit=unit, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã lưu kế hoạch sẵn sàng."))
                return redirect(f"{request.path}?unit={unit.code}")
    board = selectors.bed_board(unit)
    return render(
        request,
        "facilities/plans.html",
        {
            "unit": unit,
            "units": units,
            "readiness": selectors.readiness(unit, board.totals, board.staff),
            "history": ReadinessPlan.objects.filter(unit=unit).order_by("-created_at")[:50],
            "form": form,
            "can_edit": can_edit,
        },
    )
