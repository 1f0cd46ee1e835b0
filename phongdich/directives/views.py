"""Pages of the directives app: import and review (clerk), the unit's tasks (reporters),
the overview (committee, clerk, admin). Thin: parse, check, call a service or selector."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from phongdich.accounts.permissions import role_required
from phongdich.audit.exports import export_request
from phongdich.lib.files import xlsx_response

from . import directory, export, indicators, selectors, services
from . import overview as overview_figures
from .forms import (
    AliasForm,
    DocumentForm,
    ImportForm,
    IndicatorForm,
    MemberReviewForm,
    MembershipForm,
    OfficialForm,
    ProposalAcceptForm,
    ProposalMapForm,
    ReportForm,
    TaskForm,
)
from .models import Document, Official, OrgUnit, ReportAttachment, Task, UnitProposal
from .selectors import CLERK_ROLES, OVERVIEW_ROLES, REPORTER_ROLES, TASK_ROLES


def _get_task_for_user(request, pk: int) -> Task:
    try:
        return selectors.task_get(request.user, pk)
    except Task.DoesNotExist:
        raise Http404 from None


def _draft_task(pk: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("document"), pk=pk, is_draft=True)
    if task.document.status != Document.Status.DRAFT:
        raise Http404
    return task


def _error_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@role_required(*TASK_ROLES)
def index(request):
    if request.user.has_role(*REPORTER_ROLES):
        return redirect("directives:mine")
    return redirect("directives:overview")


# --- Overview (committee, clerk, admin) ---------------------------------------------------


# Rendered figures are kept a day at most: a new day is a new key anyway.
OVERVIEW_CACHE_SECONDS = 24 * 3600


def _overview_fragments(language: str) -> tuple[str, str]:
    """The totals and the tables of the overview, the same for every viewer: rendered once per
    change of the figures (their key) and language, then read from the cache. Rendering
    them was ~60 % of the page at 7,200 tasks."""
    today = timezone.localdate()
    row = overview_figures.figures_row()
    cached = cache.get(
        f"directives:overview:{overview_figures.overview_key(row, today)}:{language}"
    )
    if cached is not None:
        return cached
    figures = overview_figures.overview(today, row=row)
    context = {"overview": figures.overview}
    fragments = (
        render_to_string("directives/_overview_totals.html", context),
        render_to_string("directives/_overview_tables.html", context),
    )
    # Stored under the key the figures were computed from: a write since makes a new key.
    cache.set(f"directives:overview:{figures.key}:{language}", fragments, OVERVIEW_CACHE_SECONDS)
    return fragments


@role_required(*OVERVIEW_ROLES)
def overview(request):
    totals, tables = _overview_fragments(get_language())
    result = overview_figures.Overview(disagreeing=indicators.disagreeing(request.user))
    return render(
        request,
        "directives/overview.html",
        {"overview": result, "totals_html": mark_safe(totals), "tables_html": mark_safe(tables)},
    )


@role_required(*OVERVIEW_ROLES)
def documents(request):
    return render(
        request, "directives/documents.html", {"documents": selectors.documents_list()[:200]}
    )


@role_required(*OVERVIEW_ROLES)
def document_detail(request, pk: int):
    document = get_object_or_404(Document, pk=pk)
    is_clerk = request.user.has_role(*CLERK_ROLES)
    if document.status in (Document.Status.EXTRACTING, Document.Status.FAILED):
        if not is_clerk:
            raise Http404
        return render(
            request,
            "directives/progress.html",
            {"document": document, "job": selectors.document_job(document)},
        )
    if document.status == Document.Status.DRAFT:
        if not is_clerk:
            raise Http404  # a draft is the clerk's working copy
        tasks = _with_breaks(selectors.document_draft_tasks(document))
        return render(
            request,
            "directives/review.html",
            {
                "document": document,
                "tasks": tasks,
                "segments": highlight(document.text, tasks),
                "meta_form": DocumentForm(instance=document),
                "proposals": [
                    p for p in selectors.pending_proposals() if p.document_id == document.pk
                ],
            },
        )
    tasks = selectors.document_confirmed_tasks(document)
    tally = selectors.Tally()
    today = timezone.localdate()
    for task in tasks:
        tally.add(task, today)
    return render(
        request,
        "directives/document.html",
        {"document": document, "tasks": tasks, "tally": tally},
    )


@role_required(*OVERVIEW_ROLES)
def export_document(request, pk: int):
    document = get_object_or_404(Document, pk=pk, status=Document.Status.CONFIRMED)
    response = xlsx_response(export.document_workbook(document), f"theo-doi-van-ban-{pk}.xlsx")
    return response


@role_required(*OVERVIEW_ROLES)
def export_all(request):
    # Built by the worker (export.OVERALL_EXPORT): thousands of tasks would hold a web worker.
    try:
        job = export_request(by=request.user, kind="directives.overall", params={})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("directives:overview")
    return redirect("audit:export", pk=job.pk)


# --- Import and review (clerk) ------------------------------------------------------------


@role_required(*CLERK_ROLES)
def import_document(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_import(
                by=request.user,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["file"],
                submission=form.submission(request.user),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if document.submission_replayed:
                pass  # a double submission: the first one's page, without a second message
            elif document.status == Document.Status.FAILED:
                messages.error(request, document.error)
            elif document.status == Document.Status.DRAFT:
                messages.success(
                    request,
                    _("Đã đọc %(n)d nhiệm vụ. Hãy rà soát rồi xác nhận.")
                    % {"n": document.tasks.count()},
                )
            return redirect("directives:document", pk=document.pk)
    return render(request, "directives/import.html", {"form": form})


@role_required(*CLERK_ROLES)
def document_progress(request, pk: int):
    """Polled by htmx while the background job reads a big file."""
    document = get_object_or_404(Document, pk=pk)
    if document.status == Document.Status.DRAFT and request.htmx:
        return HttpResponseClientRedirect(document_url(document))
    return render(
        request,
        "directives/_progress.html",
        {"document": document, "job": selectors.document_job(document)},
    )


@require_POST
@role_required(*CLERK_ROLES)
def document_retry(request, pk: int):
    document = get_object_or_404(Document, pk=pk)
    try:
        services.document_extract_retry(by=request.user, document=document)
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Đã gửi văn bản đọc lại."))
    return redirect("directives:document", pk=pk)


def document_url(document: Document) -> str:
    return reverse("directives:document", args=[document.pk])


@require_POST
@role_required(*CLERK_ROLES)
def document_update(request, pk: int):
    document = get_object_or_404(Document, pk=pk, status=Document.Status.DRAFT)
    form = DocumentForm(request.POST, instance=Document.objects.get(pk=pk))
    if form.is_valid():
        services.document_update(
            by=request.user,
            document=document,
            **{f: form.cleaned_data[f] for f in DocumentForm.Meta.fields},
        )
        messages.success(request, _("Đã lưu thông tin văn bản."))
    else:
        messages.error(request, _("Thông tin văn bản chưa hợp lệ."))
    return redirect("directives:document", pk=pk)


@require_POST
@role_required(*CLERK_ROLES)
def document_confirm(request, pk: int):
    document = get_object_or_404(Document, pk=pk)
    try:
        count = services.document_confirm(by=request.user, document=document)
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(
            request, _("Đã xác nhận và giao %(n)d nhiệm vụ cho các đơn vị.") % {"n": count}
        )
    return redirect("directives:document", pk=pk)


@role_required(*CLERK_ROLES)
def task_edit(request, pk: int):
    task = _draft_task(pk)
    form = TaskForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_update(
                by=request.user,
                task=task,
                text=data["text"],
                deadline=data["deadline"],
                deadline_text=data["deadline_text"],
                lead_units=list(data["lead_units"]),
                coordinating_units=list(data["coordinating_units"]),
                lead_names=data["lead_names"],
                coordinating_names=data["coordinating_names"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.htmx:
                tasks = _with_breaks(selectors.document_draft_tasks(task.document))
                task = next(t for t in tasks if t.pk == pk)
                return render(request, "directives/_task_card.html", {"task": task})
            return redirect(f"{document_url(task.document)}#task-{task.pk}")
    template = "directives/_task_form.html" if request.htmx else "directives/task_edit.html"
    return render(request, template, {"task": task, "form": form})


@require_POST
@role_required(*CLERK_ROLES)
def task_split(request, pk: int):
    task = _draft_task(pk)
    try:
        services.task_split(by=request.user, task=task, at=int(request.POST.get("at", "0")))
    except (ValueError, ValidationError) as exc:
        messages.error(request, _error_message(exc) if isinstance(exc, ValidationError) else "")
    else:
        messages.success(request, _("Đã tách nhiệm vụ."))
    return redirect(f"{document_url(task.document)}#task-{task.pk}")


@require_POST
@role_required(*CLERK_ROLES)
def task_merge(request, pk: int):
    task = _draft_task(pk)
    following = (
        task.document.tasks.filter(is_draft=True, position__gt=task.position)
        .order_by("position", "pk")
        .first()
    )
    if following is None:
        messages.error(request, _("Không có nhiệm vụ phía dưới để gộp."))
    else:
        services.task_merge(by=request.user, task=task, other=following)
        messages.success(request, _("Đã gộp với nhiệm vụ phía dưới."))
    return redirect(f"{document_url(task.document)}#task-{task.pk}")


@require_POST
@role_required(*CLERK_ROLES)
def task_delete(request, pk: int):
    task = _draft_task(pk)
    document = task.document
    services.task_delete(by=request.user, task=task)
    messages.success(request, _("Đã xóa nhiệm vụ."))
    return redirect("directives:document", pk=document.pk)


def _with_breaks(tasks: list[Task]) -> list[Task]:
    """Attach the offsets where each task may be split, labelled by the words before them,
    and how many units each group addressee will fan out to on confirmation."""
    cache: dict = {}
    for task in tasks:
        for a in task.assignments.all():
            grouped = a.is_group and not a.unit_id
            a.fanout = len(directory.resolve(a.name, cache=cache).units) if grouped else 0
        task.breaks = [
            (at, task.text[max(0, at - 40) : at].strip())
            for at in services.sentence_breaks(task.text)
        ][:30]
    return tasks


def highlight(text: str, tasks: list[Task]) -> list[dict]:
    """Cut the document text into pieces, each marked with the tasks whose span covers it."""
    spans = [
        (t.span_start, t.span_end, t.pk)
        for t in tasks
        if t.span_start is not None and t.span_end is not None
    ]
    cuts = sorted({0, len(text), *(s for s, _e, _p in spans), *(e for _s, e, _p in spans)})
    starts = {}
    for start, _end, pk in spans:
        starts.setdefault(start, pk)
    pieces = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        covering = [pk for s, e, pk in spans if s <= a and b <= e]
        pieces.append({"text": text[a:b], "tasks": covering, "anchor": starts.get(a)})
    return pieces


# --- Follow-up ------------------------------------------------------------------------------


@role_required(*REPORTER_ROLES)
def mine(request):
    show = request.GET.get("show", "")
    finished = show == "finished"
    shows = selectors.reporter_shows(timezone.localdate(), status="my_status")
    units = list(OrgUnit.objects.filter(memberships__user=request.user))
    page, tasks = selectors.reporter_page(
        request.user,
        finished=finished,
        condition=shows.get(show),
        number=request.GET.get("page"),
        unit_ids=[unit.pk for unit in units],
    )
    return render(
        request,
        "directives/mine.html",
        {
            "tasks": tasks,
            "page": page,
            "units": units,
            "finished": finished,
            "show": show if show in shows else "",
        },
    )


@role_required(*TASK_ROLES)
def task_detail(request, pk: int):
    task = _get_task_for_user(request, pk)
    my_unit = None
    if request.user.has_role(*REPORTER_ROLES):
        try:
            my_unit = services.check_reporter_owns(request.user, task)
        except PermissionDenied:
            my_unit = None
    members = selectors.task_members(task)
    mine = next((m for m in members if m.assignment.unit_id == getattr(my_unit, "pk", None)), None)
    can_report = (
        mine is not None
        and task.status != Task.Status.ACCEPTED
        and mine.assignment.status != Task.Status.ACCEPTED
    )
    clerk = request.user.has_role(*CLERK_ROLES)
    indicator = getattr(task, "indicator", None)
    indicator_form = None
    if clerk:
        initial = {}
        if indicator is not None:
            initial = {
                "kind": indicator.kind,
                "object_id": indicator.object_id,
                "area": indicator.area_id,
                "bed_type": indicator.bed_type,
                "target_value": indicator.target_value,
                "target_percent": indicator.target_percent,
            }
        indicator_form = IndicatorForm(initial=initial, user=request.user)
    return render(
        request,
        "directives/task.html",
        {
            "task": task,
            "members": members,
            "mine": mine,
            "period_label": selectors.current_period_label(task),
            "check": indicators.check(task, request.user),
            "indicator": indicator,
            "indicator_form": indicator_form,
            "report_form": ReportForm() if can_report else None,
            "review_form": MemberReviewForm(task=task)
            if clerk and any(m.assignment.status == Task.Status.REPORTED_DONE for m in members)
            else None,
            "assign_form": ProposalMapForm()
            if clerk and not any(a.role == "lead" and a.unit_id for a in task.assignments.all())
            else None,
        },
    )


@require_POST
@role_required(*REPORTER_ROLES)
def task_report(request, pk: int):
    task = _get_task_for_user(request, pk)
    try:
        unit = services.check_reporter_owns(request.user, task)
    except PermissionDenied:
        raise Http404 from None  # only the task's own units report on it
    # With the files, so the attachments are part of what a reused key is compared on.
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.task_report(
                by=request.user,
                task=task,
                unit=unit,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                files=request.FILES.getlist("attachments"),
                submission=form.submission(request.user),
            )
        except ValidationError as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, _("Đã gửi báo cáo tiến độ."))
    else:
        messages.error(request, _("Báo cáo chưa hợp lệ."))
    return redirect("directives:task", pk=pk)


@require_POST
@role_required(*CLERK_ROLES)
def task_review(request, pk: int):
    task = _get_task_for_user(request, pk)
    form = MemberReviewForm(request.POST, task=task)
    form.is_valid()
    try:
        services.task_review(
            by=request.user,
            task=task,
            accept=request.POST.get("verdict") == "accept",
            comment=form.cleaned_data.get("comment", ""),
            unit=form.cleaned_data.get("unit"),
        )
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Đã ghi nhận ý kiến duyệt."))
    return redirect("directives:task", pk=pk)


@require_POST
@role_required(*CLERK_ROLES)
def task_assign(request, pk: int):
    task = _get_task_for_user(request, pk)
    form = ProposalMapForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn đơn vị."))
        return redirect("directives:task", pk=pk)
    try:
        services.task_assign_lead(by=request.user, task=task, unit=form.cleaned_data["unit"])
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(
            request, _("Đã giao nhiệm vụ cho %(unit)s.") % {"unit": form.cleaned_data["unit"]}
        )
    return redirect("directives:task", pk=pk)


@require_POST
@role_required(*CLERK_ROLES)
def task_indicator(request, pk: int):
    """Confirm (or change) the live figure a task is followed by, or remove it."""
    task = _get_task_for_user(request, pk)
    if request.POST.get("remove"):
        services.indicator_remove(by=request.user, task=task)
        messages.success(request, _("Đã bỏ chỉ số theo dõi."))
        return redirect("directives:task", pk=pk)
    form = IndicatorForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Thông tin chỉ số chưa hợp lệ."))
        return redirect("directives:task", pk=pk)
    try:
        services.indicator_confirm(by=request.user, task=task, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Đã xác nhận chỉ số theo dõi của nhiệm vụ."))
    return redirect("directives:task", pk=pk)


@role_required(*TASK_ROLES)
def attachment(request, pk: int):
    item = get_object_or_404(ReportAttachment.objects.select_related("report"), pk=pk)
    _get_task_for_user(request, item.report.task_id)  # 404 unless the task is visible
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


# --- Unit directory (clerk) ---------------------------------------------------------------


@role_required(*CLERK_ROLES)
def units(request):
    return render(
        request,
        "directives/units.html",
        {
            "units": selectors.units_directory(),
            "proposals": selectors.pending_proposals(),
            "kinds": OrgUnit.Kind.choices,
            "map_form": ProposalMapForm(),
            "membership_form": MembershipForm(),
            "official_form": OfficialForm(),
            "officials": Official.objects.select_related("org").prefetch_related("aliases"),
        },
    )


@require_POST
@role_required(*CLERK_ROLES)
def proposal_action(request, pk: int):
    proposal = get_object_or_404(UnitProposal, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "accept":
            form = ProposalAcceptForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Cần tên và loại đơn vị."))
            services.proposal_accept(by=request.user, proposal=proposal, **form.cleaned_data)
        elif action == "map":
            form = ProposalMapForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Hãy chọn đơn vị."))
            services.proposal_map(
                by=request.user, proposal=proposal, unit=form.cleaned_data["unit"]
            )
        elif action == "ignore":
            services.proposal_ignore(by=request.user, proposal=proposal)
        else:
            raise ValidationError(_("Thao tác không hợp lệ."))
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Đã xử lý đề xuất «%(name)s».") % {"name": proposal.name})
    return redirect(request.POST.get("next") or "directives:units")


@require_POST
@role_required(*CLERK_ROLES)
def membership_add(request):
    form = MembershipForm(request.POST)
    if form.is_valid():
        try:
            services.membership_add(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, _("Đã gán tài khoản cho đơn vị."))
    else:
        messages.error(request, _("Hãy chọn tài khoản và đơn vị."))
    return redirect("directives:units")


@require_POST
@role_required(*CLERK_ROLES)
def alias_add(request, pk: int):
    unit = get_object_or_404(OrgUnit, pk=pk)
    form = AliasForm(request.POST)
    if form.is_valid():
        try:
            services.unit_alias_add(by=request.user, unit=unit, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, _("Đã thêm tên gọi khác."))
    return redirect("directives:units")


@require_POST
@role_required(*CLERK_ROLES)
def official_add(request):
    form = OfficialForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.official_add(
                by=request.user,
                name=data["name"],
                title=data["title"],
                org=data["org"],
                aliases=[a.strip() for a in data["aliases"].split(";") if a.strip()],
                submission=form.submission(request.user),
            )
        except ValidationError as exc:  # the key was used for someone else: the page has a new one
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, _("Đã thêm cán bộ %(name)s.") % {"name": data["name"]})
    else:
        messages.error(request, _("Cần họ tên và đơn vị báo cáo thay."))
    return redirect("directives:units")
