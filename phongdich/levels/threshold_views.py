"""The health department's page of level thresholds: every value in force with its source
and flag, its history, and a change from a date (confirmed first, audited)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import role_required
from phongdich.lib import confirm

from . import labels, rules, thresholds
from .forms import ThresholdChangeForm
from .models import LevelRule


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
    return render(request, "levels/thresholds.html", {"groups": groups, "today": today})


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
