"""Hotline pages: the 1022 desk, units' inbox, the citizen's link, relief, oversight."""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.models import User
from phongdich.accounts.permissions import public_view, role_required
from phongdich.audit.exports import export_request
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.geo.selectors import communes_within
from phongdich.lib import confirm
from phongdich.lib.pagination import keyset_page
from phongdich.lib.ratelimit import allow
from phongdich.lib.references import reference_for
from phongdich.lib.urls import absolute_url
from phongdich.people.need_to_know import case_summary_for_role
from phongdich.people.selectors import people_visible_to

from . import selectors, services
from .forms import (
    CallForm,
    CitizenReplyForm,
    ForwardForm,
    FulfilForm,
    PublicTicketForm,
    ReliefForm,
    ReplyForm,
    SupportForm,
    VersionForm,
)
from .gateways import GatewayError, get_gateway
from .models import Channel, Priority, Status, SupportPolicy, TicketLink
from .roles import DESK_ROLES, OVERSIGHT_ROLES, RELIEF_ROLES, TICKET_ROLES

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
MAX_UNIT_OPTIONS = 60
COUNT_CAP = 10_000


def _without(params, *names) -> str:
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Desk and units ------------------------------------------------------------------------


@role_required(*TICKET_ROLES)
def queue(request):
    filters = {
        "category": request.GET.get("category", ""),
        "priority": request.GET.get("priority", ""),
        "unit": _int(request.GET.get("unit")),
        "state": request.GET.get("state", "open"),
        "mine": request.GET.get("mine") == "1",
        "overdue": request.GET.get("overdue") == "1",
        "unclaimed": request.GET.get("unclaimed") == "1",
    }
    qs = selectors.ticket_queue(request.user, **filters)
    # Keyset pages by due time: a deep page seeks to its place on the open-tickets index
    # instead of an OFFSET, and the count stops at COUNT_CAP (the oversight page has the
    # exact totals).
    page = keyset_page(
        qs,
        keys=selectors.QUEUE_KEYS,
        next=request.GET.get("next"),
        prev=request.GET.get("prev"),
        size=PAGE_SIZE,
        cap=COUNT_CAP,
    )
    audit_read_many(actor=request.user, action="hotline.queue", records=page.items)
    units = list(selectors.units_visible_to(request.user)[: MAX_UNIT_OPTIONS + 1])
    return render(
        request,
        "hotline/queue.html",
        {
            "page": page,
            "query": _without(request.GET, "next", "prev", "page"),
            "filters": filters,
            "categories": selectors.categories(),
            "priorities": Priority.choices,
            "statuses": Status.choices,
            # A province desk sees ~1,000 units: too many for a select; the unit names in
            # the rows link to their filter instead.
            "units": units if len(units) <= MAX_UNIT_OPTIONS else None,
            "now": timezone.now(),
            "is_desk": request.user.has_role(*DESK_ROLES),
        },
    )


@role_required(*DESK_ROLES)
def call(request):
    communes = communes_within(request.user.jurisdiction)
    form = CallForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data["person"]:
            person = people_visible_to(request.user).filter(pk=data["person"]).first()
            if person is None:
                raise Http404
        try:
            ticket = services.ticket_create(
                by=request.user,
                channel=Channel.PHONE,
                category=data["category"],
                text=data["text"],
                person=person,
                commune=data["commune"],
                caller_phone=data["caller_phone"],
                caller_name=data["caller_name"],
                anonymous=data["anonymous"],
                pregnant=data["pregnant"],
                submission=form.submission(request.user),
            )
            # Food branch inside a zone: the zone's request for the household. Also on a
            # replayed save, in case the first stopped short of it: linking is idempotent.
            ticket = services.ticket_food_link(
                by=request.user,
                ticket=ticket,
                household_address=data["household_address"],
                portions=data["portions"],
            )
            if ticket.submission_replayed:
                # A double click: the first post opened the ticket and sent the link.
                return redirect("hotline:ticket", pk=ticket.pk)
            raw = services.ticket_link_mint(by=request.user, ticket=ticket)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            url = services.citizen_url(raw, request)
            if ticket.caller_phone:
                _send_link_after_commit(ticket, url)
            # Shown once to the agent (to read out or send again); never stored raw.
            request.session[f"hotline-link-{ticket.pk}"] = url
            messages.success(request, _("Đã ghi nhận phiếu #%(n)s.") % {"n": ticket.pk})
            return redirect("hotline:ticket", pk=ticket.pk)
    lookup = None
    phone = request.GET.get("phone", "")
    if phone:
        lookup = selectors.caller_lookup(request.user, phone)
        _audit_lookup(request, lookup)
        form.initial["caller_phone"] = phone
    return render(request, "hotline/call.html", {"form": form, "lookup": lookup})


def _send_link_after_commit(ticket, url: str) -> None:
    text = _("1022: phiếu #%(n)s đã được ghi nhận. Theo dõi và trả lời tại: %(url)s") % {
        "n": ticket.pk,
        "url": url,
    }

    def send():
        try:
            get_gateway().send(
                ticket.caller_phone, text, channel=Channel.SMS, reference=f"1022-{ticket.pk}"
            )
        except GatewayError:
            logger.warning("could not send the personal link for ticket %s", ticket.pk)

    transaction.on_commit(send)


def _audit_lookup(request, data: dict) -> None:
    """The people a caller's number matched and their recent tickets: one read."""
    audit_read_many(
        actor=request.user,
        action="hotline.caller_lookup",
        records=[found["person"] for found in data["people"]] + list(data["tickets"]),
    )


@role_required(*DESK_ROLES)
def lookup(request):
    data = selectors.caller_lookup(request.user, request.GET.get("caller_phone", ""))
    _audit_lookup(request, data)
    return render(request, "hotline/_caller.html", {"lookup": data})


@role_required(*TICKET_ROLES)
def ticket(request, pk: int):
    ticket = selectors.ticket_get(request.user, pk)
    # The ticket itself is read (caller's name, phone, words) whether or not it names a
    # registered person; the read reaches that person's trail through ticket.person_id.
    audit_read(actor=request.user, target=ticket, action="hotline.ticket_read")
    link_url = request.session.pop(f"hotline-link-{ticket.pk}", None)
    return render(
        request,
        "hotline/ticket.html",
        {
            "ticket": ticket,
            "thread": selectors.ticket_thread(ticket, include_internal=True),
            "events": selectors.ticket_events(ticket),
            "case": selectors.case_summary(ticket.person) if ticket.person_id else None,
            "reply_form": ReplyForm(initial={"version": ticket.version}),
            "forward_form": ForwardForm(
                initial={"version": ticket.version},
                units=selectors.forward_targets(request.user),
            ),
            "colleagues": _colleagues(request.user),
            "link_url": link_url,
            "now": timezone.now(),
            "is_desk": request.user.has_role(*DESK_ROLES),
        },
    )


@role_required(*TICKET_ROLES)
def ticket_case(request, pk: int):
    """The caller's F0 case as a hotline agent may see it: status, place of care, days since
    onset, open alerts and the commune station's phone; no identifiers, no clinical record
    (people/need_to_know.py). Care-team roles get a link on to the full record."""
    ticket = selectors.ticket_get(request.user, pk)
    summary = selectors.case_summary(ticket.person) if ticket.person_id else None
    if summary is None:
        raise Http404
    audit_read(actor=request.user, target=ticket, action="hotline.case_summary_read")
    full_record = request.user.has_role(*selectors.CASE_RECORD_ROLES)
    return render(
        request,
        "hotline/case_summary.html",
        {
            "ticket": ticket,
            "case": case_summary_for_role(summary, full_record=full_record),
            "station": selectors.station_for_commune(summary["commune_id"]),
            "full_record": full_record,
        },
    )


def _colleagues(user):
    if user.jurisdiction is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True,
        role__in=TICKET_ROLES,
        jurisdiction__path__startswith=user.jurisdiction.path,
    ).order_by("username")[:200]


def _act(request, pk, action):
    """Run a ticket action; a conflict or a refusal becomes a clear message, never a loss."""
    ticket = selectors.ticket_get(request.user, pk)
    try:
        action(ticket)
    except services.TicketConflict as exc:
        messages.error(request, " ".join(exc.messages))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("hotline:ticket", pk=pk)


def _version(request) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


@require_POST
@role_required(*TICKET_ROLES)
def ticket_claim(request, pk: int):
    def claim(ticket):
        services.ticket_claim(by=request.user, ticket=ticket)
        messages.success(request, _("Bạn đang giữ phiếu này."))

    return _act(request, pk, claim)


@require_POST
@role_required(*TICKET_ROLES)
def ticket_release(request, pk: int):
    return _act(
        request,
        pk,
        lambda t: services.ticket_release(by=request.user, ticket=t, version=_version(request)),
    )


@require_POST
@role_required(*TICKET_ROLES)
def ticket_forward(request, pk: int):
    def forward(ticket):
        form = ForwardForm(request.POST, units=selectors.forward_targets(request.user))
        if not form.is_valid():
            raise ValidationError(_("Chọn đơn vị nhận."))
        services.ticket_forward(
            by=request.user,
            ticket=ticket,
            to_unit=form.cleaned_data["unit"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
        messages.success(request, _("Đã chuyển phiếu."))

    return _act(request, pk, forward)


@require_POST
@role_required(*TICKET_ROLES)
def ticket_reassign(request, pk: int):
    def reassign(ticket):
        to_user = _colleagues(request.user).filter(pk=_int(request.POST.get("user"))).first()
        if to_user is None:
            raise ValidationError(_("Chọn người nhận."))
        services.ticket_reassign(
            by=request.user,
            ticket=ticket,
            to_user=to_user,
            note=request.POST.get("note", "")[:400],
            version=_version(request),
        )
        messages.success(request, _("Đã giao phiếu cho %(u)s.") % {"u": to_user})

    return _act(request, pk, reassign)


@require_POST
@role_required(*TICKET_ROLES)
def ticket_reply(request, pk: int):
    def reply(ticket):
        form = ReplyForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Cần nội dung."))
        services.ticket_reply(
            by=request.user,
            ticket=ticket,
            body=form.cleaned_data["body"],
            internal=form.cleaned_data["internal"],
            version=form.cleaned_data["version"],
            submission=form.submission(request.user),
        )
        messages.success(
            request,
            _("Đã lưu ghi chú nội bộ.") if form.cleaned_data["internal"] else _("Đã gửi trả lời."),
        )

    return _act(request, pk, reply)


@require_POST
@role_required(*TICKET_ROLES)
def ticket_resolve(request, pk: int):
    def resolve(ticket):
        confirm.require_confirmed(request)
        services.ticket_resolve(
            by=request.user,
            ticket=ticket,
            note=request.POST.get("note", "")[:400],
            version=_version(request),
        )
        messages.success(request, _("Đã đánh dấu giải quyết."))

    return _act(request, pk, resolve)


@require_POST
@role_required(*TICKET_ROLES)
def ticket_close(request, pk: int):
    return _act(
        request,
        pk,
        lambda t: services.ticket_close(by=request.user, ticket=t, version=_version(request)),
    )


# --- Citizens ---------------------------------------------------------------------------------


def _limits():
    return getattr(settings, "HOTLINE_PUBLIC_RATE", (5, 600))  # 5 posts per 10 minutes per IP


@public_view
def citizen_new(request):
    form = PublicTicketForm(request.POST or None)
    if request.method == "POST":
        limit, window = _limits()
        if not allow(request, "citizen_new", limit=limit, window_seconds=window):
            return render(
                request, "hotline/citizen_new.html", {"form": form, "limited": True}, status=429
            )
        if form.is_valid() and not form.cleaned_data["website"]:
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    by=None,
                    channel=Channel.WEB,
                    category=data["category"],
                    text=data["text"],
                    commune=data["commune"],
                    caller_phone=data["caller_phone"],
                    caller_name=data["caller_name"],
                    anonymous=data["anonymous"],
                    submission=form.submission(request.user),
                )
                # A replay mints another link to the same ticket: the raw link of the first
                # post is not stored, and the citizen must land on their ticket either way.
                raw = services.ticket_link_mint(by=None, ticket=ticket)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session["hotline-new-link"] = True
                return redirect("hotline:citizen", token=raw)
    return render(request, "hotline/citizen_new.html", {"form": form})


def _citizen_link(token: str) -> TicketLink:
    link = TicketLink.resolve(token)
    if link is None:
        raise Http404
    return link


@public_view
def citizen(request, token: str):
    link = _citizen_link(token)
    ticket = link.ticket
    form = CitizenReplyForm(request.POST or None)
    if request.method == "POST":
        limit, window = _limits()
        if not allow(request, "citizen_reply", limit=limit * 4, window_seconds=window):
            return HttpResponse(_("Bạn gửi quá nhanh, hãy thử lại sau ít phút."), status=429)
        if form.is_valid():
            try:
                services.ticket_citizen_reply(
                    link=link,
                    body=form.cleaned_data["body"],
                    submission=form.submission(request.user),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã gửi. Cán bộ sẽ trả lời tại trang này."))
                return redirect("hotline:citizen", token=token)
    ticket.refresh_from_db()
    return render(
        request,
        "hotline/citizen.html",
        {
            "ticket": ticket,
            "thread": selectors.ticket_thread(ticket, include_internal=False),
            "form": form,
            "is_new": request.session.pop("hotline-new-link", False),
            "link_url": absolute_url(request.get_full_path(), request),
        },
    )


# --- Relief centre -------------------------------------------------------------------------


@role_required(*RELIEF_ROLES)
def relief_list(request):
    qs = selectors.relief_visible_to(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    if request.GET.get("repeats") == "1":
        qs = qs.filter(repeat_of__isnull=False)
    page = Paginator(qs.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_read_many(actor=request.user, action="hotline.relief_list", records=page.object_list)
    return render(request, "hotline/relief_list.html", {"page": page, "status": status})


@role_required(*RELIEF_ROLES)
def relief_new(request):
    form = ReliefForm(request.POST or None, communes=communes_within(request.user.jurisdiction))
    if request.method == "POST" and form.is_valid():
        try:
            relief = services.relief_request_create(
                by=request.user, submission=form.submission(request.user), **form.answers()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if relief.repeat_of_id:
                messages.warning(
                    request,
                    _(
                        "Hộ này (hoặc số điện thoại này) đã xin hỗ trợ ngày %(d)s: kiểm tra trước khi trao."
                    )
                    % {"d": timezone.localtime(relief.repeat_of.created_at).strftime("%d/%m/%Y")},
                )
            else:
                messages.success(
                    request,
                    _("Đã ghi nhận yêu cầu hỗ trợ, số tham chiếu %(ref)s (báo lại cho người dân).")
                    % {"ref": reference_for(relief)},
                )
            return redirect("hotline:relief_detail", pk=relief.pk)
    return render(request, "hotline/relief_new.html", {"form": form})


@role_required(*RELIEF_ROLES)
def relief_detail(request, pk: int):
    relief = selectors.relief_get(request.user, pk)
    audit_read(actor=request.user, target=relief, action="hotline.relief_read")
    form = FulfilForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.relief_fulfil(
                by=request.user,
                request=relief,
                submission=form.submission(request.user),
                **form.answers(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã ghi nhận việc trao hỗ trợ."))
            return redirect("hotline:relief_detail", pk=relief.pk)
    return render(
        request,
        "hotline/relief_detail.html",
        {
            "relief": relief,
            "fulfilments": relief.fulfilments.select_related("recorded_by"),
            "form": form,
        },
    )


@role_required(*RELIEF_ROLES)
def support(request):
    form = SupportForm(request.POST or None, initial={"person": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        person = people_visible_to(request.user).filter(pk=form.cleaned_data["person"]).first()
        if person is None:
            form.add_error("person", _("Không tìm thấy người này trong địa bàn của bạn."))
        else:
            try:
                payment = services.support_payment_record(
                    by=request.user,
                    person=person,
                    policy=form.cleaned_data["policy"],
                    days=form.cleaned_data["days"],
                    note=form.cleaned_data["note"],
                    submission=form.submission(request.user),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Đã ghi nhận hỗ trợ %(a)s đ cho %(p)s.")
                    % {"a": f"{payment.amount_vnd:,}".replace(",", "."), "p": person},
                )
                return redirect("hotline:support")
    payments = list(selectors.support_payments_visible_to(request.user)[:100])
    audit_read_many(actor=request.user, action="hotline.support_list", records=payments)
    return render(
        request,
        "hotline/support.html",
        {"form": form, "payments": payments, "policies": SupportPolicy.objects.all()},
    )


# --- Oversight -----------------------------------------------------------------------------


@role_required(*OVERSIGHT_ROLES)
def oversight(request):
    return render(
        request,
        "hotline/oversight.html",
        {"stats": selectors.oversight(request.user), "today": timezone.localdate()},
    )


@role_required(*OVERSIGHT_ROLES)
def oversight_export(request):
    raw = request.GET.get("date", "")
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date() if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    # Built by the worker (hotline/export_kinds.py): a day of a wave's tickets is tens of
    # thousands of rows, which would hold a web worker.
    try:
        export = export_request(
            by=request.user, kind="hotline.day", params={"date": day.isoformat()}
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("hotline:oversight")
    return redirect("audit:export", pk=export.pk)
