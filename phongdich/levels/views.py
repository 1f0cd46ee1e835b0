from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts.permissions import public_view, role_required
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import home_province
from phongdich.lib import confirm
from phongdich.lib.bounds import parse_day
from phongdich.lib.charts import line_chart
from phongdich.lib.files import xlsx_response
from phongdich.lib.xlsx import build_workbook

from . import labels, publication, rules, selectors, services, shapes, thresholds
from .apps import VIEW_ROLES
from .forms import PublishForm, ReviewForm
from .models import Assessment


def _day(request, root):
    return (
        parse_day(request.GET.get("day", ""), "%d/%m/%Y")
        or selectors.latest_day(root)
        or timezone.localdate()
    )


def _criteria(assessment):
    return labels.criteria(assessment.outcome) if assessment else []


@role_required(*VIEW_ROLES)
def level_table(request, code: str | None = None):
    """The level of a unit and each unit directly below it for a day (scoped)."""
    root = selectors.unit_in_scope(request.user, code)
    day = _day(request, root)
    rows = selectors.table(root, day)
    if request.GET.get("format") == "xlsx":
        header = [
            _("Đơn vị"),
            _("Mã"),
            _("Quy định"),
            _("Cấp đề xuất"),
            _("Cấp sau thẩm định"),
            _("Trạng thái"),
            _("Áp dụng từ"),
            _("F0 cộng đồng /100.000 dân/tuần"),
            _("Lý do điều chỉnh"),
            _("Có ngưỡng chưa xác nhận"),
        ]
        data = (
            [
                unit.label() if unit.kind == AdminUnit.Kind.COMMUNE else unit.name,
                unit.code,
                labels.rules_title(a.rules) if a else "",
                a.computed_level or "" if a else "",
                a.final_level or "" if a else "",
                a.get_status_display() if a else "",
                a.effective_from.strftime("%d/%m/%Y") if a and a.effective_from else "",
                round(a.inputs.get("cases_per_100k") or 0, 1) if a else "",
                a.override_reason if a else "",
                (_("có") if a.unconfirmed else _("không")) if a else "",
            ]
            for unit, a in rows
        )
        return xlsx_response(
            build_workbook("Cap do dich", header, data), f"cap-do-{root.code}-{day:%Y%m%d}.xlsx"
        )
    return render(request, "levels/table.html", _table_context(request, root, day, rows))


def _table_context(request, root, day, rows, **extra):
    user = request.user
    pending = (
        publication.reviewed_below(root, day).count() if user.role in services.PUBLISH_ROLES else 0
    )
    return {
        "root": root,
        "day": day,
        "rows": rows,
        "ancestors": root.ancestors(),
        "names": rules.NAMES,
        "pending": pending,
        "publish_all_form": extra.pop("publish_all_form", None)
        or PublishForm(initial={"effective_from": services.earliest_effective()}),
        "earliest": services.earliest_effective(),
        "may_edit_thresholds": _may(thresholds.check_may_edit, user),
        **extra,
    }


def _may(check, user) -> bool:
    try:
        check(user)
    except PermissionDenied:
        return False
    return True


@require_POST
@role_required(*services.PUBLISH_ROLES)
def publish_all(request, code: str):
    """Publish every reviewed level of the unit and the units below it for the day, once
    the committee member has confirmed how many."""
    root = selectors.unit_in_scope(request.user, code)
    day = parse_day(request.POST.get("day", ""), "%d/%m/%Y")
    if day is None:
        raise Http404
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            confirm.require_confirmed(request)
            expected = int(request.POST.get("expected", "")[:6] or -1)
            count = publication.assessments_publish_all(
                by=request.user,
                root=root,
                day=day,
                effective_from=form.cleaned_data["effective_from"],
                expected=expected,
            )
        except (ValidationError, ValueError) as exc:
            form.add_error(
                None, exc if isinstance(exc, ValidationError) else _("Dữ liệu không hợp lệ.")
            )
        else:
            messages.success(request, _("Đã công bố cấp độ dịch của %(n)s đơn vị.") % {"n": count})
            return redirect(f"{reverse('levels:table_unit', args=[root.code])}?day={day:%d/%m/%Y}")
    rows = selectors.table(root, day)
    context = _table_context(request, root, day, rows, publish_all_form=form)
    return render(request, "levels/table.html", context, status=400)


@role_required(*VIEW_ROLES)
def pending_list(request):
    """The units of the jurisdiction whose level of the latest day assessed waits for review
    (status=proposed) or for publication (status=reviewed): the home page's figures."""
    root = selectors.unit_in_scope(request.user, None)
    day = _day(request, root)
    status = request.GET.get("status", "")
    if status not in (Assessment.Status.PROPOSED, Assessment.Status.REVIEWED):
        status = Assessment.Status.PROPOSED
    items = list(
        selectors.pending(root, day)
        .filter(status=status)
        .select_related("unit", "unit__parent")
        .order_by("unit__path")
    )
    return render(
        request,
        "levels/pending.html",
        {
            "root": root,
            "day": day,
            "status": status,
            "status_label": Assessment.Status(status).label,
            "items": items,
        },
    )


def _unit_context(request, unit, day, **extra):
    assessment = selectors.assessment_for(unit, day)
    past = selectors.history(unit, day)
    chart = line_chart([(a.day, a.final_level or 0) for a in past], width=560, height=120)
    ruleset = rules.rules_for(day, assessment.rules if assessment else None)  # title only
    user = request.user
    return {
        "unit": unit,
        "day": day,
        "a": assessment,
        "criteria": _criteria(assessment),
        "history": list(reversed(past)),
        "chart": chart,
        "rules_title": labels.rules_title(ruleset.code if ruleset else None),
        "unconfirmed": [
            labels.unconfirmed(c) for c in (assessment.outcome or {}).get("unconfirmed", [])
        ]
        if assessment
        else [],
        "missing": [
            str(labels.CRITERIA.get(k, k)) for k in (assessment.outcome or {}).get("missing", [])
        ]
        if assessment
        else [],
        "may_review": user.role in services.REVIEW_ROLES,
        "may_publish": user.role in services.PUBLISH_ROLES,
        "review_form": extra.pop("review_form", None)
        or ReviewForm(initial={"level": assessment.final_level if assessment else None}),
        "publish_form": extra.pop("publish_form", None)
        or PublishForm(initial={"effective_from": services.earliest_effective()}),
        "earliest": services.earliest_effective(),
        "names": rules.NAMES,
        **extra,
    }


@role_required(*VIEW_ROLES)
def unit_detail(request, code: str):
    """Why a unit is at its level: each criterion, its value, threshold and source."""
    unit = selectors.unit_in_scope(request.user, code)
    day = _day(request, unit)
    return render(request, "levels/unit.html", _unit_context(request, unit, day))


def _assessment_or_404(unit, request):
    day = parse_day(request.POST.get("day", ""), "%d/%m/%Y")
    assessment = selectors.assessment_for(unit, day) if day else None
    if assessment is None:
        raise Http404
    return assessment


@require_POST
@role_required(*services.REVIEW_ROLES)
def unit_review(request, code: str):
    unit = selectors.unit_in_scope(request.user, code)
    assessment = _assessment_or_404(unit, request)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_review(
                by=request.user,
                assessment=assessment,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã thẩm định cấp độ dịch."))
            return redirect(f"{request.path.rsplit('review/', 1)[0]}?day={assessment.day:%d/%m/%Y}")
    context = _unit_context(request, unit, assessment.day, review_form=form)
    return render(request, "levels/unit.html", context, status=400)


@require_POST
@role_required(*services.PUBLISH_ROLES)
def unit_publish(request, code: str):
    unit = selectors.unit_in_scope(request.user, code)
    assessment = _assessment_or_404(unit, request)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_publish(
                by=request.user,
                assessment=assessment,
                effective_from=form.cleaned_data["effective_from"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã công bố cấp độ dịch."))
            return redirect(
                f"{request.path.rsplit('publish/', 1)[0]}?day={assessment.day:%d/%m/%Y}"
            )
    context = _unit_context(request, unit, assessment.day, publish_form=form)
    return render(request, "levels/unit.html", context, status=400)


def _kind(request):
    return (
        AdminUnit.Kind.DISTRICT
        if request.GET.get("kind") == AdminUnit.Kind.DISTRICT
        else AdminUnit.Kind.COMMUNE
    )


@role_required(*VIEW_ROLES)
def level_map(request):
    """Points at each unit's centroid, coloured by level (no tile server: the points are
    the map). Unpublished proposals are drawn hollow and said to be unpublished."""
    root = selectors.unit_in_scope(request.user, None)
    day = _day(request, root)
    kind = _kind(request)
    points = selectors.map_points(root, day, kind)
    return render(
        request,
        "levels/map.html",
        {
            "root": root,
            "day": day,
            "kind": kind,
            "points": points,  # json_script encodes it (once)
            "public": False,
            "count": len(points),
            "shaped": sum(1 for p in points if p["shape"]),
            "may_import_shapes": _may(shapes.check_may_import, request.user),
        },
    )


@public_view
def public_levels(request):
    """Citizens' page: the published levels of the province, their effective dates and the
    measures; nothing unpublished, no personal data."""
    kind = _kind(request)
    province = home_province()
    rows = selectors.public_rows(kind)
    points = (
        selectors.map_points(province, timezone.localdate(), kind, public=True)
        if (province)
        else []
    )
    return render(
        request,
        "levels/public.html",
        {
            "rows": rows,
            "kind": kind,
            "points": points,  # json_script encodes it (once)
            "province": province,
            "names": rules.NAMES,
            "public": True,
            "measures": [(lvl, _(text)) for lvl, text in sorted(rules.MEASURES.items())],
            "measures_source": _(rules.MEASURES_SOURCE),
        },
    )
