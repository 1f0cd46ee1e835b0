"""Pages of the supplies board and a place's stock ledger."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import role_required
from phongdich.facilities.models import Facility
from phongdich.facilities.selectors import board_unit, board_units, own_facility_id

from . import selectors, services
from .forms import CorrectionForm, DecideForm, FulfilForm, MovementForm, RequestForm, TransferForm
from .models import Place, StockEntry
from .procurement import READER_ROLES as PROCUREMENT_READERS

READERS = (*selectors.BOARD_ROLES, Role.FACILITY_OFFICER)


# The alert box names this many places; the rest are counted (and are on the district boards).
ALERTS_SHOWN = 50


@role_required(*READERS)
def board(request):
    if request.user.has_role(Role.FACILITY_OFFICER):
        facility = Facility.objects.filter(pk=own_facility_id(request.user) or 0).first()
        if facility is None:
            raise Http404
        # The facility's stock place is made on its officer's first visit, so a site can
        # start its ledger without asking anyone.
        place = services.place_for_facility(by=request.user, facility=facility)
        return redirect("supplies:place", pk=place.pk)
    units = board_units(request.user)
    unit = board_unit(request.user, request.GET.get("unit"), units)
    lines = selectors.supply_board(unit)
    alerts = [line for line in lines if line.supply.alert]
    own, areas = selectors.by_area(unit, lines, units)
    return render(
        request,
        "supplies/board.html",
        {
            "unit": unit,
            "units": units,
            "lines": own,
            "areas": areas,
            "alerts": alerts[:ALERTS_SHOWN],
            "alerts_total": len(alerts),
            "alerts_more": max(len(alerts) - ALERTS_SHOWN, 0),
            "perms_procurement": request.user.has_role(*PROCUREMENT_READERS),
        },
    )


def _may_write(user) -> bool:
    return user.has_role(*selectors.WRITER_ROLES)


def _place_page(request, place, **forms):
    return render(
        request,
        "supplies/place.html",
        {
            "place": place,
            "lines": selectors.stock_lines(Place.objects.filter(pk=place.pk)),
            "entries": selectors.ledger(place),
            "can_write": _may_write(request.user),
            "movement_form": forms.get("movement_form") or MovementForm(),
            "transfer_form": forms.get("transfer_form")
            or TransferForm(destinations=selectors.transfer_destinations(request.user)),
            "request_form": forms.get("request_form") or RequestForm(),
            "requests": place.requests.select_related("item")[:20],
        },
    )


@role_required(*READERS)
def place(request, pk):
    return _place_page(request, selectors.place_for(request.user, pk))


SERVICES = {
    StockEntry.Kind.RECEIPT: services.stock_receive,
    StockEntry.Kind.ISSUE: services.stock_issue,
    StockEntry.Kind.COUNT: services.stock_count,
}


@require_POST
@role_required(*selectors.WRITER_ROLES)
def movement(request, pk):
    where = selectors.place_for(request.user, pk)
    form = MovementForm(request.POST)
    if form.is_valid():
        data = form.answers()
        kind = data.pop("kind")
        amount = data.pop("quantity")
        amount_arg = {"counted": amount} if kind == StockEntry.Kind.COUNT else {"quantity": amount}
        try:
            SERVICES[kind](
                by=request.user,
                submission=form.submission(request.user),
                place=where,
                item=data["item"],
                occurred_at=data["occurred_at"],
                note=data["note"],
                **amount_arg,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi vào sổ kho."))
            return redirect("supplies:place", pk=where.pk)
    return _place_page(request, where, movement_form=form)


@require_POST
@role_required(*selectors.WRITER_ROLES)
def transfer(request, pk):
    where = selectors.place_for(request.user, pk)
    form = TransferForm(request.POST, destinations=selectors.transfer_destinations(request.user))
    if form.is_valid():
        try:
            services.stock_transfer(
                by=request.user,
                submission=form.submission(request.user),
                source=where,
                **form.answers(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi phiếu điều chuyển."))
            return redirect("supplies:place", pk=where.pk)
    return _place_page(request, where, transfer_form=form)


@role_required(*selectors.WRITER_ROLES)
def correct(request, pk, entry):
    where = selectors.place_for(request.user, pk)
    record = StockEntry.objects.filter(place=where, pk=entry).select_related("item").first()
    if record is None:
        raise Http404
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_correct(by=request.user, entry=record, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi bút toán điều chỉnh; phiếu gốc được giữ nguyên."))
            return redirect("supplies:place", pk=where.pk)
    return render(request, "supplies/correct.html", {"place": where, "entry": record, "form": form})


# --- requests -------------------------------------------------------------------------------


@require_POST
@role_required(*selectors.WRITER_ROLES)
def request_create(request, pk):
    where = selectors.place_for(request.user, pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            created = services.supply_request_create(
                by=request.user,
                submission=form.submission(request.user),
                place=where,
                **form.answers(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("supplies:request", pk=created.pk)
    return _place_page(request, where, request_form=form)


@role_required(*READERS)
def request_list(request):
    return render(
        request, "supplies/requests.html", {"requests": selectors.requests_for(request.user)[:300]}
    )


def _request_page(request, record, **forms):
    may_decide = selectors.may_decide(request.user, record)
    return render(
        request,
        "supplies/request.html",
        {
            "record": record,
            "fulfilled": services.fulfilled_quantity(record),
            "entries": record.entries.filter(kind=StockEntry.Kind.TRANSFER_IN).select_related(
                "counterpart"
            ),
            "may_decide": may_decide,
            "decide_form": forms.get("decide_form") or DecideForm(),
            "fulfil_form": forms.get("fulfil_form")
            or FulfilForm(sources=selectors.fulfilment_sources(request.user, record)),
        },
    )


@role_required(*READERS)
def request_detail(request, pk):
    return _request_page(request, selectors.request_for(request.user, pk))


@require_POST
@role_required(*selectors.DECIDER_ROLES)
def request_decide(request, pk):
    record = selectors.request_for(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.supply_request_decide(
                by=request.user,
                request=record,
                approve=form.cleaned_data["decision"] == "approve",
                quantity=form.cleaned_data["quantity"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("supplies:request", pk=record.pk)
    return _request_page(request, record, decide_form=form)


@require_POST
@role_required(*selectors.DECIDER_ROLES)
def request_fulfil(request, pk):
    record = selectors.request_for(request.user, pk)
    form = FulfilForm(request.POST, sources=selectors.fulfilment_sources(request.user, record))
    if form.is_valid():
        try:
            services.supply_request_fulfil(by=request.user, request=record, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi phiếu điều chuyển."))
            return redirect("supplies:request", pk=record.pk)
    return _request_page(request, record, fulfil_form=form)
