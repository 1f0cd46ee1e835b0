"""A campaign's targets from a file (campaign_targets.py): the form, the line report, the
errors as XLSX."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from phongdich.accounts.permissions import role_required
from phongdich.lib.files import xlsx_response
from phongdich.lib.imports import ErrorReport, FileRefused

from . import campaign_targets, campaigns
from .forms import ImportForm
from .permissions import CAMPAIGN_ROLES
from .views import _campaign

TARGET_ERRORS_KEY = "vaccination_campaign_target_errors"


class TargetImportForm(forms.Form):
    file = forms.FileField(label=campaign_targets.FILE_LABEL)
    mode = forms.ChoiceField(
        label=gettext_lazy("Khi có dòng lỗi"), choices=ImportForm.MODES, widget=forms.RadioSelect
    )


@role_required(*CAMPAIGN_ROLES)
def campaign_target_import(request, pk: int):
    campaign = _campaign(request, pk)
    if not campaigns.can_manage(request.user, campaign):
        raise PermissionDenied
    form = TargetImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = campaign_targets.campaign_target_import(
                by=request.user,
                campaign=campaign,
                upload=form.cleaned_data["file"],
                all_or_nothing=form.cleaned_data["mode"] == "all_or_nothing",
            )
        except FileRefused as exc:
            form.add_error("file", exc.messages[0])
        else:
            request.session[TARGET_ERRORS_KEY] = result.errors.as_dict()
            if result.saved:
                campaigns.campaign_refresh(campaign=campaign, by=request.user)
    return render(
        request,
        "vaccination/campaign_targets_import.html",
        {"form": form, "result": result, "campaign": campaign},
    )


@role_required(*CAMPAIGN_ROLES)
def campaign_target_errors(request, pk: int):
    _campaign(request, pk)
    report = ErrorReport.from_dict(request.session.get(TARGET_ERRORS_KEY))
    return xlsx_response(report.workbook(), "loi-nhap-chi-tieu-chien-dich.xlsx")
