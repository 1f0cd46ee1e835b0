"""Corrections on a person's vaccination record: revoking their certificate, and taking a
wrongly matched dose off them back into the data-quality queue. Both cannot be undone from
the page, so both ask first (lib.confirm) and need a reason."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import role_required
from phongdich.lib import confirm
from phongdich.lib.bounds import max_length

from . import certificates, selectors, services
from .models import Dose, DoseReview, VaccinationCertificate
from .permissions import RECORD_ROLES, REVIEW_ROLES
from .views import _person


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do thu hồi"),
        max_length=max_length(VaccinationCertificate, "revoke_reason"),
    )


class UnlinkForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do gỡ (vì sao mũi này không phải của người này)"),
        max_length=max_length(DoseReview, "unlink_reason"),
    )


def _form_errors(form) -> str:
    return "; ".join(m for ms in form.errors.values() for m in ms)


@require_POST
@role_required(*RECORD_ROLES)
def certificate_revoke(request, pk: int):
    person = _person(request, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chưa thu hồi: %(why)s") % {"why": _form_errors(form)})
        return redirect("vaccination:record", pk=person.pk)
    try:
        confirm.require_confirmed(request)
        cert = certificates.certificate_revoke(
            by=request.user, person=person, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("Đã thu hồi giấy chứng nhận số %(number)s; mã QR trên giấy báo «đã thu hồi».")
            % {"number": cert.number},
        )
    return redirect("vaccination:record", pk=person.pk)


@require_POST
@role_required(*REVIEW_ROLES)
def dose_unlink(request, pk: int):
    try:
        dose = selectors.dose_get(request.user, pk)
    except Dose.DoesNotExist:
        raise Http404 from None
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chưa gỡ: %(why)s") % {"why": _form_errors(form)})
        return redirect("vaccination:record", pk=dose.person_id)
    try:
        confirm.require_confirmed(request)
        review = services.dose_unlink(
            by=request.user, dose=dose, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("vaccination:record", pk=dose.person_id)
    messages.success(
        request,
        _("Đã gỡ mũi tiêm khỏi hồ sơ này; mũi tiêm chờ xác định đúng người trong hàng đợi."),
    )
    return redirect("vaccination:review", pk=review.pk)
