"""Pages: the commune's list of people in quarantine, a record's page (an audited read),
the completion certificate, and the citizen's daily check through the personal link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from phongdich.accounts.permissions import public_view, role_required
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.checkpoints.services import SYMPTOMS
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import communes_within
from phongdich.lib import confirm
from phongdich.lib.bounds import pk_or_none
from phongdich.lib.files import html_to_pdf, pdf_response
from phongdich.lib.ratelimit import allow
from phongdich.lib.urls import absolute_url
from phongdich.people import need_to_know
from phongdich.people.models import Person
from phongdich.people.selectors import person_get
from phongdich.people.services import person_candidates

from . import selectors, services
from .forms import AdmitForm, CheckForm, EndChangeForm, OpenForm, ReasonForm, SampleForm
from .models import FollowUpItem, Quarantine, QuarantineLink, Status
from .selectors import LIST_ROLES, WRITE_ROLES


def _get(request, pk: int) -> Quarantine:
    try:
        return selectors.quarantine_get(request.user, pk)
    except Quarantine.DoesNotExist:
        raise Http404 from None


@role_required(*LIST_ROLES)
def quarantine_list(request):
    commune = None
    commune_id = pk_or_none(request.GET.get("commune"))
    if commune_id is not None:
        commune = AdminUnit.objects.filter(pk=commune_id).first()
    page = selectors.active_list(
        request.user,
        commune=commune,
        next=request.GET.get("next"),
        prev=request.GET.get("prev"),
    )
    # A list of named people in quarantine is personal health data: one audited read.
    audit_read_many(actor=request.user, action="quarantine.list", records=page.items)
    # The pager links keep the other filters (the commune) and replace the cursor.
    query = request.GET.copy()
    for name in ("next", "prev", "after"):  # "after": the list's cursor before lib.pagination
        query.pop(name, None)
    return render(
        request,
        "quarantine/list.html",
        {
            "rows": page.items,
            "page": page,
            "query": query.urlencode(),
            "first_page": not page.prev,
            "can_write": request.user.has_role(*WRITE_ROLES),
            "commune": commune,
            "today": timezone.localdate(),
        },
    )


# What the registry matches on (people.services.person_candidates).
MATCHED_FIELDS = ("full_name", "birth_year", "phone", "id_number", "commune")


@role_required(*WRITE_ROLES)
def quarantine_new(request):
    """Open a quarantine from scratch: the person through the registry's matching (weak
    candidates shown to pick from), then the plan of the dated policy row shown with its
    source; staff confirm it, or shorten or extend it with a reason."""
    form = OpenForm(request.POST or None, communes=communes_within(request.user.jurisdiction))
    candidates, plan = [], None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # `chosen`: the person staff picked among the candidates; `person`: whom the plan is
        # previewed for (a strong match is reused by person_register itself on opening).
        chosen = person = None
        try:
            if data["chosen_person"]:
                try:
                    chosen = person = person_get(request.user, data["chosen_person"])
                except Person.DoesNotExist:
                    raise Http404 from None
            elif not data["force_new"]:
                person_data = form.person_data()
                found = person_candidates(
                    by=request.user,
                    **{k: person_data[k] for k in MATCHED_FIELDS},
                )
                strong = [c.person for c in found if c.strong]
                person = strong[0] if strong else None
                if not strong:
                    candidates = [c.person for c in found]
                if candidates:
                    need_to_know.present(candidates, request.user)
                    audit_read_many(
                        actor=request.user,
                        action="quarantine.open_candidates",
                        records=candidates,
                    )
            values = form.open_values()
            plan = services.quarantine_plan_preview(
                person=person,
                basis=values["basis"],
                start=values["start"],
                exposure_date=values["exposure_date"],
                doses=values["doses"],
                recovered_on=values["recovered_on"],
            )
            if request.POST.get("action") == "open" and not candidates:
                quarantine, created = services.quarantine_open_staff(
                    by=request.user,
                    person=chosen,
                    person_data=form.person_data(),
                    force_new=data["force_new"],
                    planned_end=data["planned_end"],
                    reason=data["reason"],
                    **values,
                )
                if created:
                    messages.success(request, _("Đã mở hồ sơ cách ly."))
                else:
                    messages.info(request, _("Người này đang cách ly: đây là hồ sơ đang mở."))
                return redirect("quarantine:detail", pk=quarantine.pk)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
            plan = None
    return render(
        request,
        "quarantine/new.html",
        {"form": form, "candidates": candidates, "plan": plan},
    )


@role_required(*LIST_ROLES)
def quarantine_detail(request, pk: int):
    quarantine = _get(request, pk)
    check_form = CheckForm(request.POST if request.POST.get("action") == "check" else None)
    end_form = EndChangeForm(request.POST if request.POST.get("action") == "change_end" else None)
    reason_form = ReasonForm(
        request.POST if request.POST.get("action") in ("release_early", "move") else None
    )
    admit_form = AdmitForm(request.POST if request.POST.get("action") == "admit" else None)
    new_link = None
    if request.method == "POST":
        if not request.user.has_role(*WRITE_ROLES):
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "check" and check_form.is_valid():
                services.quarantine_check_record(
                    by=request.user,
                    quarantine=quarantine,
                    submission=check_form.submission(request.user),
                    **check_form.answers(),
                )
                messages.success(request, _("Đã ghi nhận theo dõi hôm nay."))
                return redirect("quarantine:detail", pk=pk)
            if action == "change_end" and end_form.is_valid():
                services.quarantine_change_end(
                    by=request.user, quarantine=quarantine, **end_form.cleaned_data
                )
                messages.success(request, _("Đã đổi ngày kết thúc."))
                return redirect("quarantine:detail", pk=pk)
            if action in ("release_early", "move") and reason_form.is_valid():
                confirm.require_confirmed(request)
                service = (
                    services.quarantine_release_early
                    if action == "release_early"
                    else services.quarantine_move
                )
                service(
                    by=request.user,
                    quarantine=quarantine,
                    reason=reason_form.cleaned_data["reason"],
                )
                messages.success(request, _("Đã kết thúc cách ly."))
                return redirect("quarantine:detail", pk=pk)
            if action == "complete":
                services.quarantine_complete(by=request.user, quarantine=quarantine)
                messages.success(request, _("Đã hoàn thành cách ly."))
                return redirect("quarantine:detail", pk=pk)
            if action == "admit" and admit_form.is_valid():
                services.quarantine_admit(
                    by=request.user,
                    quarantine=quarantine,
                    facility=admit_form.cleaned_data["facility"],
                )
                messages.success(request, _("Đã nhận vào khu cách ly tập trung."))
                return redirect("quarantine:detail", pk=pk)
            if action in services.PAPERS:
                services.quarantine_mark(by=request.user, quarantine=quarantine, what=action)
                return redirect("quarantine:detail", pk=pk)
            if action == "link":
                raw = services.quarantine_link_mint(by=request.user, quarantine=quarantine)
                new_link = absolute_url(reverse("quarantine:self_check", args=[raw]), request)
            if action == "item_done":
                item = quarantine.items.filter(pk=pk_or_none(request.POST.get("item"))).first()
                if item is None:
                    raise Http404
                services.follow_up_done(by=request.user, item=item)
                return redirect("quarantine:detail", pk=pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        quarantine.refresh_from_db()
    return render(
        request,
        "quarantine/detail.html",
        {
            "q": quarantine,
            "checks": list(quarantine.checks.select_related("by")[:30]),
            "items": selectors.open_items(quarantine),
            "check_form": check_form,
            "end_form": end_form,
            "reason_form": reason_form,
            "admit_form": admit_form,
            "new_link": new_link,
            "symptom_labels": SYMPTOMS,
            "can_write": request.user.has_role(*WRITE_ROLES),
            "active": quarantine.status == Status.ACTIVE,
        },
    )


@role_required(*LIST_ROLES)
def certificate(request, pk: int):
    """The certificate of completion (giấy xác nhận hoàn thành cách ly), once completed."""
    quarantine = _get(request, pk)
    if quarantine.status != Status.COMPLETED:
        raise Http404
    audit_read(actor=request.user, target=quarantine, action="quarantine.certificate")
    html = render_to_string(
        "quarantine/pdf/certificate.html",
        {"q": quarantine, "issued_on": timezone.localdate()},
        request=request,
    )
    return pdf_response(html_to_pdf(html), f"hoan-thanh-cach-ly-{quarantine.pk}.pdf")


# The home quarantine's papers; the templates are the ones checkpoints printed before the
# hand-over opened this record.
DOCUMENTS = {
    "commitment": "checkpoints/pdf/commitment.html",
    "door-sign": "checkpoints/pdf/door_sign.html",
}


@role_required(*LIST_ROLES)
def document(request, pk: int, kind: str):
    """The commitment form or the door sign of a home quarantine, as PDF (an audited read)."""
    from phongdich.checkpoints.selectors import health_station_phone
    from phongdich.checkpoints.services import quarantine_policy

    template = DOCUMENTS.get(kind)
    if template is None:
        raise Http404
    quarantine = _get(request, pk)
    if quarantine.place != "home":
        raise Http404
    audit_read(actor=request.user, target=quarantine, action="quarantine.document")
    html = render_to_string(
        template,
        {
            "q": quarantine,
            "policy": quarantine_policy(quarantine.policy_key),
            "station_phone": health_station_phone(quarantine.commune),
        },
    )
    return pdf_response(html_to_pdf(html), f"{kind}-{quarantine.pk}.pdf")


@public_view
@never_cache
def self_check(request, token: str):
    link = QuarantineLink.resolve(token)
    if link is None or link.quarantine.status != Status.ACTIVE:
        raise Http404
    form = CheckForm(request.POST or None)
    done = False
    if request.method == "POST":
        if not allow(request, "quarantine.selfcheck", limit=30, window_seconds=600):
            return render(request, "checkpoints/throttled.html", status=429)
        if form.is_valid():
            try:
                services.quarantine_check_record(
                    quarantine=link.quarantine,
                    submission=form.submission(request.user),
                    **form.answers(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                done = True
    return render(
        request, "quarantine/self_check.html", {"form": form, "done": done, "q": link.quarantine}
    )


@role_required(*WRITE_ROLES)
def test_orders(request):
    """The area's lab orders: each test day due, with the sample taken against it."""
    form = SampleForm(request.POST or None)
    if request.method == "POST":
        item_pk = pk_or_none(request.POST.get("item"))
        try:
            item = selectors.item_get(request.user, item_pk) if item_pk else None
        except FollowUpItem.DoesNotExist:
            item = None
        if item is None:
            raise Http404
        if form.is_valid():
            try:
                sample = services.test_order_sample(by=request.user, item=item, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("Đã lấy mẫu %(code)s cho %(name)s.")
                    % {"code": sample.barcode, "name": item.quarantine.person.full_name},
                )
                return redirect("quarantine:tests")
        else:
            messages.error(request, _("Cần mã mẫu và loại xét nghiệm."))
    rows, total = selectors.test_orders(request.user)
    audit_read_many(
        actor=request.user, action="quarantine.test_orders", records=[r.quarantine for r in rows]
    )
    return render(
        request,
        "quarantine/tests.html",
        {"rows": rows, "total": total, "form": SampleForm(), "today": timezone.localdate()},
    )
