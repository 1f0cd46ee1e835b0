from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import role_required
from phongdich.lib.files import XLSX, file_response, pdf_response

from . import render as papers
from . import selectors, services
from .apps import REPORT_ROLES
from .forms import BriefingForm

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _form(request, data=None):
    units = selectors.units_for(request.user)
    today = timezone.localdate()
    initial = {"unit": str(units[0].pk) if units else "", "day_from": today, "day_to": today}
    return BriefingForm(data, units=units, initial=initial)


def _page(request, form, status=200):
    briefings = selectors.briefings_for(request.user)[:60]
    return render(
        request,
        "reports/list.html",
        {"form": form, "briefings": briefings, "draft_hour": services.draft_hour()},
        status=status,
    )


@role_required(*REPORT_ROLES)
def briefing_list(request):
    """The briefings kept for the user's area, newest first, and a form to draft one."""
    return _page(request, _form(request))


@role_required(*REPORT_ROLES)
@require_POST
def briefing_create(request):
    form = _form(request, request.POST)
    if form.is_valid():
        try:
            briefing = services.briefing_create(
                by=request.user,
                unit=form.cleaned_data["unit"],
                day_from=form.cleaned_data["day_from"],
                day_to=form.cleaned_data["day_to"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("reports:detail", pk=briefing.pk)
    return _page(request, form, status=400)


@role_required(*REPORT_ROLES)
def briefing_detail(request, pk: int):
    briefing = selectors.briefing_for(request.user, pk)
    return render(
        request,
        "reports/detail.html",
        {"briefing": briefing, "b": papers.shown(briefing.content)},
    )


@role_required(*REPORT_ROLES)
def briefing_download(request, pk: int, fmt: str):
    briefing = selectors.briefing_for(request.user, pk)
    name = f"bao-cao-nhanh-{briefing.unit.code}-{briefing.day_to:%Y%m%d}"
    if fmt == "pdf":
        return pdf_response(papers.to_pdf(briefing.content), f"{name}.pdf", inline=False)
    if fmt == "docx":
        return file_response(papers.to_docx(briefing.content), f"{name}.docx", DOCX)
    return file_response(papers.to_xlsx(briefing.content), f"{name}.xlsx", XLSX)
