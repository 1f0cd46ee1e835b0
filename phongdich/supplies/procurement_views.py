"""Pages of procurement dossiers (health officers) and the public purchase summary."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import public_view, role_required
from phongdich.facilities.selectors import board_units
from phongdich.lib import ratelimit, xlsx
from phongdich.lib.files import xlsx_response

from . import procurement as proc
from .forms import AdvanceForm, DocumentForm, ProcurementForm


def _units(user):
    return board_units(user)


@role_required(*proc.READER_ROLES)
def procurement_list(request, form=None):
    may_write = request.user.has_role(*proc.OFFICER_ROLES)
    return render(
        request,
        "supplies/procurements.html",
        {
            "records": proc.procurements_for(request.user)[:300],
            "may_write": may_write,
            "form": form or (ProcurementForm(units=_units(request.user)) if may_write else None),
        },
    )


@require_POST
@role_required(*proc.OFFICER_ROLES)
def procurement_create(request):
    form = ProcurementForm(request.POST, units=_units(request.user))
    if form.is_valid():
        try:
            record = proc.procurement_create(
                by=request.user, submission=form.submission(request.user), **form.answers()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("supplies:procurement", pk=record.pk)
    return procurement_list(request, form=form)


def _page(request, record, **forms):
    may_write = request.user.has_role(*proc.OFFICER_ROLES)
    return render(
        request,
        "supplies/procurement.html",
        {
            "record": record,
            "may_write": may_write,
            "documents": record.documents.all(),
            "advance_form": forms.get("advance_form")
            or AdvanceForm(initial={"to": record.next_status}),
            "document_form": forms.get("document_form") or DocumentForm(),
        },
    )


@role_required(*proc.READER_ROLES)
def procurement_detail(request, pk):
    return _page(request, proc.procurement_for(request.user, pk))


@require_POST
@role_required(*proc.OFFICER_ROLES)
def procurement_advance(request, pk):
    record = proc.procurement_for(request.user, pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            proc.procurement_advance(
                by=request.user,
                procurement=record,
                to=data["to"],
                on=data["on"],
                decision_number=data["decision_number"],
                supplier=data["supplier"],
                amount_vnd=data["amount_vnd"],
            )
        except ValidationError as exc:
            record.refresh_from_db()
            if record.status == data["to"]:
                # A double click: the first post took the step, the second shows its result.
                return redirect("supplies:procurement", pk=record.pk)
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã chuyển hồ sơ sang bước mới."))
            return redirect("supplies:procurement", pk=record.pk)
    return _page(request, record, advance_form=form)


@require_POST
@role_required(*proc.OFFICER_ROLES)
def procurement_attach(request, pk):
    record = proc.procurement_for(request.user, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            proc.procurement_attach(
                by=request.user, procurement=record, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("supplies:procurement", pk=record.pk)
    return _page(request, record, document_form=form)


@role_required(*proc.READER_ROLES)
def procurement_document(request, pk, doc):
    record = proc.procurement_for(request.user, pk)
    document = record.documents.filter(pk=doc).first()
    if document is None:
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.name)


# --- public ---------------------------------------------------------------------------------


def _slow(request) -> bool:
    limit = getattr(settings, "SUPPLIES_PUBLIC_LIMIT", 120)
    return not ratelimit.allow(request, "supplies.purchases", limit=limit, window_seconds=600)


@public_view
def purchases(request):
    """The province's purchases for anyone to read (seed 003: transparent purchasing)."""
    if _slow(request):
        return render(request, "supplies/public/slow_down.html", status=429)
    return render(request, "supplies/public/purchases.html", {"records": proc.public_summary()})


@public_view
def purchases_xlsx(request):
    if _slow(request):
        return render(request, "supplies/public/slow_down.html", status=429)
    content = xlsx.build_workbook(
        _("Mua sắm"), proc.public_header(), proc.public_rows(proc.public_summary())
    )
    return xlsx_response(content, "mua-sam-vat-tu.xlsx")
