"""Risk groups by hand on a person's vaccination record: add one, end one. The import
(views.risk_groups) brings lists; these are the single cases a station hears of. Also the
person's channel for dose reminders (SMS or Zalo), set on the same record."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import role_required
from phongdich.people.models import Person
from phongdich.people.selectors import person_get

from . import reminders, risk
from .forms import ReminderChannelForm, RiskFlagEndForm, RiskFlagForm
from .models import RiskFlag
from .permissions import RECORD_ROLES


def _person(request, pk: int) -> Person:
    try:
        return person_get(request.user, pk)  # outside the jurisdiction: 404
    except Person.DoesNotExist:
        raise Http404 from None


def _errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@role_required(*RECORD_ROLES)
def risk_flag_add(request, pk: int):
    person = _person(request, pk)
    form = RiskFlagForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("vaccination:record", pk=person.pk)
    try:
        _flag, created = risk.risk_flag_set(by=request.user, person=person, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("Đã thêm nhóm nguy cơ.") if created else _("Đã cập nhật nhóm nguy cơ đã có."),
        )
    return redirect("vaccination:record", pk=person.pk)


@require_POST
@role_required(*RECORD_ROLES)
def risk_flag_end(request, pk: int, flag_pk: int):
    person = _person(request, pk)
    flag = RiskFlag.objects.filter(pk=flag_pk, person=person).first()
    if flag is None:
        raise Http404
    form = RiskFlagEndForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("vaccination:record", pk=person.pk)
    try:
        risk.risk_flag_end(by=request.user, flag=flag, until=form.cleaned_data["until"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Đã ghi ngày kết thúc nhóm nguy cơ."))
    return redirect("vaccination:record", pk=person.pk)


@require_POST
@role_required(*RECORD_ROLES)
def reminder_channel(request, pk: int):
    person = _person(request, pk)
    form = ReminderChannelForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("vaccination:record", pk=person.pk)
    try:
        row, changed = reminders.reminder_channel_set(
            by=request.user, person=person, channel=form.cleaned_data["channel"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        words = {"channel": row.get_channel_display()}
        messages.success(
            request,
            _("Từ nay nhắc lịch tiêm qua %(channel)s.") % words
            if changed
            else _("Đã nhắc lịch tiêm qua %(channel)s từ trước.") % words,
        )
    return redirect(reverse("vaccination:record", args=[person.pk]) + "#reminder-channel")
