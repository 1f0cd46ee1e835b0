"""Pages of tracing: a case's contacts (with the add form), the contact list of the
user's area, a contact, the import, clusters, chains and indicators."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import role_required
from phongdich.audit.services import audit_read_many
from phongdich.cases.models import Case
from phongdich.cases.selectors import case_get, cases_visible_to
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import communes_within, home_communes
from phongdich.lib import background_imports
from phongdich.lib.bounds import parse_day, pk_or_none
from phongdich.lib.imports import FileRefused
from phongdich.lib.references import reference_find
from phongdich.people import need_to_know
from phongdich.people.models import Person
from phongdich.people.selectors import person_get

from . import chain, selectors, services
from .forms import (
    ClusterCaseForm,
    ClusterForm,
    ClusterSourceForm,
    ContactForm,
    ImportForm,
    QuarantineForm,
    StatusForm,
)
from .models import ContactStatus
from .permissions import READ_ROLES, TRACER_ROLES, may_write


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _contact_form(request, **kwargs):
    return ContactForm(request.POST or None, communes=home_communes(), **kwargs)


def _add_contact(request, *, source_case=None, source_contact=None):
    """Handle the add form; (form, candidates, redirect or None)."""
    form = _contact_form(request)
    candidates = []
    if request.method != "POST" or not form.is_valid():
        return form, candidates, None
    data = form.cleaned_data
    identity = services.Identity(
        full_name=data["full_name"],
        commune=data["commune"],
        birth_year=data["birth_year"],
        sex=data["sex"],
        phone=data["phone"],
        id_number=data["id_number"],
        address=data["address"],
    )
    chosen = pk_or_none(request.POST.get("chosen_person"))
    try:
        if chosen is not None:
            try:
                person = person_get(request.user, chosen)
            except Person.DoesNotExist:
                raise Http404 from None
        else:
            if not data["force_new"]:
                candidates = [
                    c.person for c in services.weak_candidates(by=request.user, identity=identity)
                ]
                if candidates:
                    need_to_know.present(candidates, request.user)
                    audit_read_many(
                        actor=request.user, action="tracing.contact_candidates", records=candidates
                    )
                    return form, candidates, None
            person = services.contact_person(by=request.user, identity=identity)
        contact, created = services.contact_add(
            by=request.user,
            person=person,
            source_case=source_case,
            source_contact=source_contact,
            exposure=services.Exposure(
                exposure_date=data["exposure_date"],
                setting=data["setting"],
                criterion=data["criterion"],
                relationship=data["relationship"],
                place=data["place"],
                note=data["note"],
            ),
        )
    except ValidationError as exc:
        form.add_error(None, _messages(exc))
        return form, [], None
    if created:
        messages.success(request, _("Đã thêm người tiếp xúc."))
    else:
        messages.info(request, _("Người này đã có trong danh sách tiếp xúc của nguồn này."))
    return form, [], redirect(request.path)


@role_required(*TRACER_ROLES)
def case_contacts(request, pk: int):
    case = case_get(request.user, pk)
    form, candidates, done = _add_contact(request, source_case=case)
    if done:
        return done
    contacts = selectors.contacts_of_case(case)
    audit_read_many(actor=request.user, action="tracing.case_contacts", records=[case, *contacts])
    return render(
        request,
        "tracing/case_contacts.html",
        {"case": case, "contacts": contacts, "form": form, "candidates": candidates},
    )


@role_required(*READ_ROLES)
def contacts(request):
    status = request.GET.get("status", "")
    if status not in ContactStatus.values:
        status = ""
    commune = None
    commune_id = pk_or_none(request.GET.get("commune"))
    if commune_id is not None:
        commune = AdminUnit.objects.filter(pk=commune_id).first()
    page = selectors.contact_list(
        request.user,
        status=status,
        commune=commune,
        next=request.GET.get("next"),
        prev=request.GET.get("prev"),
    )
    audit_read_many(actor=request.user, action="tracing.contacts", records=page.items)
    query = request.GET.copy()
    for key in ("next", "prev"):
        query.pop(key, None)
    return render(
        request,
        "tracing/contacts.html",
        {
            "contacts": page.items,
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "statuses": ContactStatus.choices,
            "next_url": f"?{query.urlencode()}&next={page.next}" if page.next else "",
        },
    )


@role_required(*READ_ROLES)
def contact(request, pk: int):
    item = selectors.contact_get(request.user, pk)
    if request.method == "POST" and not may_write(request.user):
        raise PermissionDenied  # the police partner reads; only tracers add F2
    form, candidates, done = _add_contact(request, source_contact=item)
    if done:
        return done
    f2 = list(item.contacts.select_related("person", "commune__parent").order_by("pk"))
    need_to_know.present([item.person], request.user)
    audit_read_many(actor=request.user, action="tracing.contact", records=[item, *f2])
    return render(
        request,
        "tracing/contact.html",
        {
            "contact": item,
            "f2": f2,
            "form": form,
            "candidates": candidates,
            "status_form": StatusForm(initial={"status": item.status}),
            "quarantine_form": QuarantineForm(),
            "quarantine": _quarantine_of(item),
            "may_open_quarantine": _may_open_quarantine(request.user),
            "can_write": may_write(request.user),
            "may_add_f2": item.generation < 2,
        },
    )


def _may_open_quarantine(user) -> bool:
    try:
        from phongdich.quarantine.selectors import LIST_ROLES
    except ImportError:
        return False
    return user.has_role(*LIST_ROLES)


def _quarantine_of(contact):
    try:
        from phongdich.quarantine.selectors import of_contact
    except ImportError:  # the quarantine app is optional
        return None
    return of_contact(contact)


@require_POST
@role_required(*TRACER_ROLES)
def contact_status(request, pk: int):
    item = selectors.contact_get(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.contact_set_status(
                by=request.user,
                contact=item,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Đã cập nhật trạng thái."))
        except ValidationError as exc:
            messages.error(request, _messages(exc))
    else:
        messages.error(request, _("Trạng thái không hợp lệ."))
    return redirect("tracing:contact", pk=item.pk)


@require_POST
@role_required(*TRACER_ROLES)
def contact_quarantine(request, pk: int):
    item = selectors.contact_get(request.user, pk)
    form = QuarantineForm(request.POST)
    if form.is_valid():
        try:
            services.contact_quarantine(
                by=request.user,
                contact=item,
                start=form.cleaned_data["start"],
                place=form.cleaned_data["place"],
            )
            messages.success(request, _("Đã đưa người tiếp xúc vào cách ly."))
        except ValidationError as exc:
            messages.error(request, _messages(exc))
    else:
        messages.error(request, _("Thông tin cách ly không hợp lệ."))
    return redirect("tracing:contact", pk=item.pk)


@role_required(*TRACER_ROLES)
def import_contacts(request):
    """Store the file and hand it to the worker (lib.background_imports); the job's page
    shows the progress, then the report. The run audits itself with its counts
    (`tracing.import`); the request is audited too (`import.request`)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = background_imports.import_request(
                by=request.user,
                kind="tracing.contacts",
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
            )
        except FileRefused as exc:
            form.add_error("file", exc.messages[0])
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect("imports:job", pk=job.pk)
    return render(request, "tracing/import.html", {"form": form})


# --- chains ----------------------------------------------------------------------------------


def _chain_page(request, *, cases, title, back_url):
    built = chain.build_chain(cases)
    audit_read_many(actor=request.user, action="tracing.chain", records=built.records)
    return render(
        request,
        "tracing/chain.html",
        {
            "title": title,
            "chain": built,
            "svg": mark_safe(chain.render_svg(built, title=title)),  # noqa: S308 (escaped in render_svg)
            "back_url": back_url,
            "max_nodes": chain.MAX_NODES,
        },
    )


@role_required(*READ_ROLES)
def case_chain(request, pk: int):
    case = case_get(request.user, pk)
    return _chain_page(
        request,
        cases=[case],
        title=_("Chuỗi lây nhiễm từ ca %(name)s") % {"name": case.person.full_name},
        back_url=f"/tracing/cases/{case.pk}/",
    )


# --- clusters --------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def clusters(request):
    if request.method == "POST" and not may_write(request.user):
        raise PermissionDenied  # the police partner reads; only tracers open clusters
    form = ClusterForm(request.POST or None, communes=communes_within(request.user.jurisdiction))
    if request.method == "POST" and form.is_valid():
        try:
            cluster = services.cluster_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _messages(exc))
        else:
            return redirect("tracing:cluster", pk=cluster.pk)
    return render(
        request,
        "tracing/clusters.html",
        {
            "clusters": selectors.cluster_list(request.user),
            "form": form,
            "can_write": may_write(request.user),
        },
    )


@role_required(*READ_ROLES)
def cluster(request, pk: int):
    item = selectors.cluster_get(request.user, pk)
    cases = list(
        item.cases.select_related("person", "commune__parent").order_by("diagnosed_on", "pk")
    )
    contacts = list(item.contacts.select_related("person", "commune__parent").order_by("pk")[:500])
    audit_read_many(actor=request.user, action="tracing.cluster", records=[*cases, *contacts])
    return render(
        request,
        "tracing/cluster.html",
        {
            "cluster": item,
            "cases": cases,
            "contacts": contacts,
            "case_form": ClusterCaseForm(),
            "can_write": may_write(request.user),
            "source_form": ClusterSourceForm(
                initial={"source_note": item.source_note, "source_not_found": item.source_not_found}
            ),
        },
    )


@require_POST
@role_required(*TRACER_ROLES)
def cluster_case_add(request, pk: int):
    item = selectors.cluster_get(request.user, pk)
    form = ClusterCaseForm(request.POST)
    case = None
    if form.is_valid():
        _kind, found = reference_find(form.cleaned_data["reference"])
        if isinstance(found, Case):
            case = cases_visible_to(request.user).filter(pk=found.pk).first()
    if case is None:
        messages.error(request, _("Không tìm thấy ca F0 với mã này trong địa bàn của bạn."))
    else:
        services.cluster_case_add(by=request.user, cluster=item, case=case)
        messages.success(request, _("Đã thêm ca vào ổ dịch."))
    return redirect("tracing:cluster", pk=item.pk)


@require_POST
@role_required(*TRACER_ROLES)
def cluster_source(request, pk: int):
    item = selectors.cluster_get(request.user, pk)
    form = ClusterSourceForm(request.POST)
    if form.is_valid():
        services.cluster_source_set(by=request.user, cluster=item, **form.cleaned_data)
        messages.success(request, _("Đã ghi nguồn lây."))
    return redirect("tracing:cluster", pk=item.pk)


@role_required(*READ_ROLES)
def cluster_chain(request, pk: int):
    item = selectors.cluster_get(request.user, pk)
    cases = list(
        item.cases.select_related("person").order_by("diagnosed_on", "pk")[: chain.MAX_NODES]
    )
    return _chain_page(
        request,
        cases=cases,
        title=_("Chuỗi lây nhiễm của ổ dịch %(name)s") % {"name": item.name},
        back_url=f"/tracing/clusters/{item.pk}/",
    )


# --- indicators ------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def indicators(request):
    today = timezone.localdate()
    end = parse_day(request.GET.get("end", ""), "%d/%m/%Y") or today
    start = parse_day(request.GET.get("start", ""), "%d/%m/%Y") or end - timedelta(days=13)
    if start > end or (end - start).days > 366:
        start = end - timedelta(days=13)
    rows = selectors.indicator_rows(request.user, start=start, end=end)
    return render(request, "tracing/indicators.html", {"rows": rows, "start": start, "end": end})
