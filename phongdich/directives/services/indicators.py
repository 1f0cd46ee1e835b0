"""Linking a confirmed task to a live figure of the platform, and the clerk's confirmation
of a link the wording proposed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from .. import indicators
from ..models import Task, TaskIndicator

# What each kind of figure is read for; the clerk must give it.
NEEDS_OBJECT = (
    TaskIndicator.Kind.CAMPAIGN,
    TaskIndicator.Kind.BEDS,
    TaskIndicator.Kind.SCREENING,
    TaskIndicator.Kind.FOOD_GAPS,
)
NEEDS_AREA = (TaskIndicator.Kind.OUTREACH, TaskIndicator.Kind.F0_CONTACTED)


@transaction.atomic
def indicator_confirm(
    *,
    by,
    task: Task,
    kind: str,
    object_id: int | None = None,
    area=None,
    bed_type: str = "",
    target_value: int | None = None,
    target_percent: int = 100,
) -> TaskIndicator:
    """The clerk ties `task` to a live figure (confirming the proposed link or choosing
    another). Two clerks confirming at once: the task's row lock makes one the winner and
    tells the other who confirmed it."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_draft:
        raise ValidationError(_("Nhiệm vụ chưa được xác nhận."))
    if kind not in TaskIndicator.Kind.values:
        raise ValidationError({"kind": _("Chỉ số không hợp lệ.")})
    if kind in NEEDS_OBJECT and not object_id:
        raise ValidationError({"object_id": _("Hãy chọn đối tượng của chỉ số.")})
    if kind == TaskIndicator.Kind.BEDS and not bed_type:
        raise ValidationError({"bed_type": _("Hãy chọn loại giường.")})
    if kind in NEEDS_AREA and area is None:
        raise ValidationError({"area": _("Hãy chọn địa bàn của chỉ số.")})
    if not 1 <= target_percent <= 100:
        raise ValidationError({"target_percent": _("Ngưỡng đạt phải từ 1 đến 100%.")})
    indicator = TaskIndicator.objects.filter(task=task).first()
    if indicator is not None and indicator.status == TaskIndicator.Status.CONFIRMED:
        who = indicator.confirmed_by.get_full_name() or indicator.confirmed_by.username
        raise ValidationError(
            _("Liên kết chỉ số của nhiệm vụ này đã được %(who)s xác nhận lúc %(at)s.")
            % {
                "who": who if indicator.confirmed_by_id else "—",
                "at": timezone.localtime(indicator.confirmed_at).strftime("%H:%M %d/%m/%Y"),
            }
        )
    indicator = indicator or TaskIndicator(task=task)
    indicator.kind = kind
    indicator.object_id = object_id if kind in NEEDS_OBJECT else None
    indicator.area = area if kind in NEEDS_AREA else None
    indicator.bed_type = bed_type if kind == TaskIndicator.Kind.BEDS else ""
    indicator.target_value = target_value
    indicator.target_percent = target_percent
    indicator.status = TaskIndicator.Status.CONFIRMED
    indicator.confirmed_by, indicator.confirmed_at = by, timezone.now()
    indicator.save()
    if indicators.figure(indicator, by) is None:
        # Nothing the clerk may see answers for this choice: refuse rather than link blind.
        raise ValidationError(
            _("Không đọc được số liệu của chỉ số đã chọn trong phạm vi của bạn; hãy kiểm tra lại.")
        )
    audit_record(
        actor=by,
        action="directives.indicator_confirm",
        target=task,
        changes={"kind": kind, "object": object_id, "area": getattr(area, "pk", None)},
    )
    return indicator


@transaction.atomic
def indicator_remove(*, by, task: Task) -> None:
    task = Task.objects.select_for_update().get(pk=task.pk)
    deleted, _rows = TaskIndicator.objects.filter(task=task).delete()
    if deleted:
        audit_record(actor=by, action="directives.indicator_remove", target=task)
