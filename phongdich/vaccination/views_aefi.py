"""AEFI pages: the queue of the user's jurisdiction, one report (an audited read of the
person), the staff report form, the vaccinee's personal link and its public form."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import public_view, role_required
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.lib import confirm, ratelimit
from phongdich.lib.certificates import qr_data_uri
from phongdich.lib.files import xlsx_response
from phongdich.lib.idempotency import SubmissionConflict
from phongdich.lib.link_sends import link_send_flash, shown_link_sign, shown_link_unsign
from phongdich.lib.urls import absolute_url
from phongdich.lib.xlsx import build_form
from phongdich.people import need_to_know

from . import aefi, aefi_report, selectors
from .forms_aefi import (
    AefiForm,
    AefiReopenForm,
    AefiReportForm,
    AefiStatusForm,
    LinkSendForm,
    PublicAefiForm,
)
from .models import Aefi, AefiLink, Dose
from .permissions import AEFI_REOPEN_ROLES, RECORD_ROLES
from .views import _person


def _report_input(data) -> aefi.AefiInput:
    return aefi.AefiInput(
        onset_at=data["onset_at"],
        description=data["description"],
        treatment=data["treatment"],
        outcome=data["outcome"],
        died=data["died"],
        life_threatening=data["life_threatening"],
        hospitalised=data["hospitalised"],
        disability=data["disability"],
        reporter_name=data["reporter_name"],
        reporter_phone=data["reporter_phone"],
    )


@role_required(*RECORD_ROLES)
def aefi_queue(request):
    status = request.GET.get("status", "")
    if status not in Aefi.Status.values:
        status = ""
    items = list(selectors.aefi_queue(request.user, status=status)[:200])
    audit_read_many(
        actor=request.user, action="vaccination.aefi_queue", records=[i.person for i in items]
    )
    return render(
        request,
        "vaccination/aefi_queue.html",
        {"items": items, "status": status, "statuses": Aefi.Status.choices},
    )


def _aefi(request, pk: int) -> Aefi:
    try:
        return selectors.aefi_get(request.user, pk)
    except Aefi.DoesNotExist:
        raise Http404 from None


@role_required(*RECORD_ROLES)
def aefi_detail(request, pk: int):
    item = _aefi(request, pk)
    audit_read(actor=request.user, target=item.person, action="vaccination.aefi")
    need_to_know.present([item.person], request.user)
    form = AefiStatusForm(initial={"status": (aefi.NEXT_STATUS[item.status] or (item.status,))[0]})
    can_reopen = item.status == Aefi.Status.CONCLUDED and request.user.has_role(*AEFI_REOPEN_ROLES)
    return render(
        request,
        "vaccination/aefi_detail.html",
        {
            "item": item,
            "form": form,
            "can_move": bool(aefi.NEXT_STATUS[item.status]),
            "reopen_form": AefiReopenForm() if can_reopen else None,
            "history": item.history.select_related("by").order_by("at", "pk"),
        },
    )


@require_POST
@role_required(*AEFI_REOPEN_ROLES)
def aefi_reopen(request, pk: int):
    """Reopen a concluded investigation with a reason (health officers, the province)."""
    item = _aefi(request, pk)
    form = AefiReopenForm(request.POST)
    if form.is_valid():
        try:
            aefi.aefi_reopen(by=request.user, aefi=item, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã mở lại điều tra phản ứng sau tiêm."))
    else:
        messages.error(request, _("Cần ghi lý do mở lại (tối đa 500 ký tự)."))
    return redirect("vaccination:aefi", pk=item.pk)


@require_POST
@role_required(*RECORD_ROLES)
def aefi_status(request, pk: int):
    item = _aefi(request, pk)
    form = AefiStatusForm(request.POST)
    if form.is_valid():
        try:
            aefi.aefi_status_set(by=request.user, aefi=item, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã cập nhật báo cáo phản ứng sau tiêm."))
    else:
        messages.error(request, _("Thông tin cập nhật không hợp lệ."))
    return redirect("vaccination:aefi", pk=item.pk)


@role_required(*RECORD_ROLES)
def aefi_new(request, pk: int):
    """Staff reporting an event for a person opened from the registry (their record)."""
    person = _person(request, pk)
    doses = Dose.objects.of_person(person).select_related("product").order_by("-given_on")
    form = AefiForm(request.POST or None, doses=doses)
    if request.method == "POST" and form.is_valid():
        try:
            item = aefi.aefi_report(
                by=request.user,
                person=person,
                dose=form.cleaned_data.get("dose"),
                report=_report_input(form.cleaned_data),
                submission=form.submission(request.user),
            )
        except (ValidationError, SubmissionConflict) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi nhận phản ứng sau tiêm."))
            return redirect("vaccination:aefi", pk=item.pk)
    audit_read(actor=request.user, target=person, action="vaccination.aefi_form")
    need_to_know.present([person], request.user)
    return render(request, "vaccination/aefi_form.html", {"form": form, "person": person})


@require_POST
@role_required(*RECORD_ROLES)
def aefi_link(request, pk: int):
    """A personal link for the vaccinee, shown once (its hash only is kept)."""
    person = _person(request, pk)
    try:
        link, raw = aefi.aefi_link_issue(by=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("vaccination:record", pk=person.pk)
    url = absolute_url(reverse("vaccination:aefi_public", args=[raw]), request)
    return render(
        request,
        "vaccination/aefi_link.html",
        {
            "person": person,
            "url": url,
            "qr": qr_data_uri(url),
            "link": link,
            "send_form": LinkSendForm(),
            "signed": _signed_link(link, url),
        },
    )


# Salt of the shown link's signed copy (lib.link_sends.shown_link_sign).
LINK_SEND_SALT = "vaccination.aefi_link_send"


def _signed_link(link, url: str) -> str:
    return shown_link_sign(url, salt=LINK_SEND_SALT, key="link", pk=link.pk)


def _unsigned_link(value: str) -> tuple[int, str] | None:
    return shown_link_unsign(value, salt=LINK_SEND_SALT, key="link")


@require_POST
@role_required(*RECORD_ROLES)
def aefi_link_send(request, pk: int):
    """Send the link just shown by SMS or Zalo to the person's own phone (once per tap)."""
    person = _person(request, pk)
    signed = _unsigned_link(request.POST.get("link", ""))
    link = None
    if signed is not None:
        link = AefiLink.objects.filter(pk=signed[0], person=person).first()
    form = LinkSendForm(request.POST)
    if link is None:
        messages.error(request, _("Đường link đã hết thời gian hiển thị; hãy tạo link mới để gửi."))
    elif not form.is_valid():
        messages.error(request, _("Kênh gửi không hợp lệ."))
    else:
        try:
            sent = aefi.aefi_link_send(
                by=request.user,
                link=link,
                url=signed[1],
                channel=form.cleaned_data["channel"],
                submission=form.submission(request.user),
            )
        except (ValidationError, SubmissionConflict) as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            link_send_flash(request, sent, phone_display=person.phone_display)
    return redirect(reverse("vaccination:record", args=[person.pk]) + "#aefi-links")


@require_POST
@role_required(*RECORD_ROLES)
def aefi_link_revoke(request, pk: int, link_pk: int):
    person = _person(request, pk)
    link = AefiLink.objects.filter(pk=link_pk, person=person).first()
    if link is None:
        raise Http404
    try:
        confirm.require_confirmed(request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        aefi.aefi_link_revoke(by=request.user, link=link)
        messages.success(request, _("Đã thu hồi đường link; link đó không mở được nữa."))
    return redirect(reverse("vaccination:record", args=[person.pk]) + "#aefi-links")


@role_required(*RECORD_ROLES)
def aefi_export(request):
    """The reports of the user's jurisdiction in the period, in the national layout (the
    unit's heading, the motto, the title and period, one row per report, the signatures;
    aefi_report.py): an audited read of every person in it."""
    form = AefiReportForm(request.GET)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("vaccination:aefi_queue")
    data = form.cleaned_data
    queryset = selectors.aefi_visible_to(request.user).select_related(
        "person", "commune", "district", "dose__product"
    )
    if data["status"] == AefiReportForm.OPEN:
        queryset = queryset.exclude(status=Aefi.Status.CONCLUDED)
    elif data["status"]:
        queryset = queryset.filter(status=data["status"])
    period = aefi_report.Period(since=data["since"], until=data["until"])
    items = list(aefi_report.within(queryset, period).order_by("created_at", "pk"))
    audit_read_many(
        actor=request.user, action="vaccination.aefi_export", records=[i.person for i in items]
    )
    today = timezone.localdate()
    return xlsx_response(
        build_form(
            _("Phản ứng sau tiêm"),
            preamble=aefi_report.preamble(request.user.jurisdiction, period, items, today),
            header=aefi_report.header(),
            rows=(aefi_report.row(n, item) for n, item in enumerate(items, start=1)),
            footer=aefi_report.footer(),
            widths=aefi_report.WIDTHS,
        ),
        f"bao-cao-phan-ung-sau-tiem-{today:%Y%m%d}.xlsx",
    )


@public_view
def aefi_public(request, token: str):
    """The vaccinee's form: per address, and the link itself bounds how much one holder
    can send (a handful of reports a day is plenty for one person)."""
    limit = int(getattr(settings, "VACCINATION_AEFI_IP_LIMIT", 60))
    if not ratelimit.allow(request, "vaccination-aefi", limit=limit, window_seconds=3600):
        return render(request, "vaccination/public/slow_down.html", status=429)
    link = AefiLink.resolve(token)
    if link is None:
        return render(request, "vaccination/public/aefi_gone.html", status=404)
    form = PublicAefiForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow_key(
            f"vaccination-aefi-link:{link.pk}", limit=10, window_seconds=86400
        ):
            return render(request, "vaccination/public/slow_down.html", status=429)
        if form.is_valid():
            try:
                aefi.aefi_report(
                    by=None,
                    person=link.person,
                    dose=link.dose,
                    report=_report_input(form.cleaned_data),
                    submission=form.submission(request.user),
                )
            except (ValidationError, SubmissionConflict) as exc:
                form.add_error(None, exc)
            else:
                return render(request, "vaccination/public/aefi_thanks.html")
    return render(request, "vaccination/public/aefi_form.html", {"form": form})
