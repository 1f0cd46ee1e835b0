"""The health department's page of level thresholds: every value in force with its source
and flag, its history, and a change from a date (confirmed first, audited)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import role_required
from phongdich.lib import confirm

from . import labels, rules, thresholds
from .forms import RuleStartChangeForm, ThresholdChangeForm
from .models import LevelRule, RuleSetStart


def _shown(row) -> str:
    if row.kind == "cell":
        return str(row.level)
    return f"{row.value.normalize():f}"


@role_required(*thresholds.EDIT_ROLES)
def threshold_list(request):
    thresholds.check_may_edit(request.user)
    today = timezone.localdate()
    history: dict[tuple, list] = {}
    for row in LevelRule.objects.filter(active=True).order_by("rules", "key", "valid_from"):
        history.setdefault((row.rules, row.key), []).append(row)
    groups = []
    for rs in rules.RULE_SETS:
        in_force = thresholds.rows_in_force(rs.code, max(today, rs.valid_from))
        lines = [
            {
                "row": row,
                "label": thresholds.label_of(row),
                "value": _shown(row),
                "source": labels.SOURCES.get(row.regulation, row.regulation),
                "later": [
                    r for r in history.get((rs.code, key), []) if r.valid_from > row.valid_from
                ],
                "earlier": len(
                    [r for r in history.get((rs.code, key), []) if r.valid_from < row.valid_from]
                ),
            }
            for key, row in sorted(
                in_force.items(), key=lambda kv: (kv[1].kind != "band", kv[1].kind, kv[0])
            )
        ]
        groups.append({"title": labels.rules_title(rs.code), "code": rs.code, "lines": lines})
    return render(
        request,
        "levels/thresholds.html",
        {"groups": groups, "today": today, "starts": _start_lines()},
    )


def _start_lines() -> list[dict]:
    """Each rule set's start day in force, with its source, flag and earlier values."""
    rows: dict[str, list] = {}
    for row in RuleSetStart.objects.order_by("rules", "pk"):
        rows.setdefault(row.rules, []).append(row)
    out = []
    for rs in rules.RULE_SETS:
        history = rows.get(rs.code, [])
        current = history[-1] if history else None
        out.append(
            {
                "code": rs.code,
                "title": labels.rules_title(rs.code),
                "starts_on": current.starts_on if current else rs.valid_from,
                "source": labels.SOURCES.get(
                    current.regulation if current else rs.source,
                    current.regulation if current else rs.source,
                ),
                "confirmed": current.confirmed if current else True,
                "earlier": history[:-1],
            }
        )
    return out


@role_required(*thresholds.EDIT_ROLES)
def rule_start_change(request, code: str):
    thresholds.check_may_edit(request.user)
    line = next((line for line in _start_lines() if line["code"] == code), None)
    if line is None:
        raise Http404
    current = thresholds.start_rows().get(code)
    initial = {
        "starts_on": line["starts_on"],
        "regulation": current.regulation if current else "",
        "source_checked": line["confirmed"],
        "based_on": current.pk if current else 0,
    }
    form = RuleStartChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            confirm.require_confirmed(request)
            thresholds.rule_start_change(
                by=request.user,
                code=code,
                starts_on=data["starts_on"],
                regulation=data["regulation"],
                confirmed=data["source_checked"],
                note=data["note"],
                based_on=data["based_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu ngày áp dụng mới. Thay đổi được ghi vào nhật ký."))
            return redirect("levels:thresholds")
    confirm_text = _(
        "Đổi ngày áp dụng %(rules)s, hiện là %(day)s: mọi đánh giá cấp độ (kể cả tính lại "
        "lịch sử) dùng bộ tiêu chí theo ngày mới."
    ) % {"rules": line["title"], "day": line["starts_on"].strftime("%d/%m/%Y")}
    return render(
        request,
        "levels/rule_start_change.html",
        {"line": line, "form": form, "confirm_text": confirm_text},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*thresholds.EDIT_ROLES)
def threshold_change(request, pk: int):
    thresholds.check_may_edit(request.user)
    row = get_object_or_404(LevelRule, pk=pk, active=True)
    initial = {
        "value": row.value,
        "level": row.level,
        "regulation": row.regulation,
        "source_checked": row.confirmed,
        "valid_from": max(timezone.localdate(), row.valid_from),
    }
    form = ThresholdChangeForm(request.POST or None, row=row, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            confirm.require_confirmed(request)
            thresholds.rule_change(
                by=request.user,
                row=row,
                valid_from=data["valid_from"],
                value=data.get("value"),
                level=data.get("level"),
                regulation=data["regulation"],
                confirmed=data["source_checked"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu ngưỡng mới. Thay đổi được ghi vào nhật ký."))
            return redirect("levels:thresholds")
    label = thresholds.label_of(row)
    confirm_text = _(
        "Đổi «%(label)s» (%(rules)s), hiện là %(value)s: các đánh giá cấp độ từ ngày áp "
        "dụng đã chọn trở đi dùng giá trị mới; các ngày trước vẫn dùng giá trị cũ."
    ) % {"label": label, "rules": labels.rules_title(row.rules), "value": _shown(row)}
    return render(
        request,
        "levels/threshold_change.html",
        {
            "row": row,
            "label": label,
            "value": _shown(row),
            "form": form,
            "confirm_text": confirm_text,
        },
        status=400 if request.method == "POST" else 200,
    )
