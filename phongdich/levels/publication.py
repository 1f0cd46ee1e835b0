"""Publishing every reviewed level of a unit and the units below it in one action (the
committee's "Công bố tất cả"). Each unit is still published at most once per day: the rows
are locked and re-read under the lock, and the count the committee confirmed must be the
count published, so a racing or stale second click publishes nothing and says why."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import check_act_on_unit
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit

from .models import Assessment
from .services import PUBLISH_ROLES, _previous_published, earliest_effective, notify_rise


def reviewed_below(root: AdminUnit, day: date):
    """The reviewed, unpublished assessments of `root` and every unit below it on `day`."""
    return Assessment.objects.filter(
        day=day, status=Assessment.Status.REVIEWED, unit__path__startswith=root.path
    )


def assessments_publish_all(
    *, by, root: AdminUnit, day: date, effective_from: date, expected: int
) -> int:
    """Publish the `expected` reviewed assessments below `root` for `day`; returns how many."""
    if by.role not in PUBLISH_ROLES:
        raise PermissionDenied
    check_act_on_unit(by, root)
    now = timezone.now()
    if effective_from < earliest_effective(now):
        raise ValidationError(
            _("Cấp độ chỉ được áp dụng sau khi công bố ít nhất 48 giờ (từ ngày %(day)s).")
            % {"day": earliest_effective(now).strftime("%d/%m/%Y")}
        )
    with transaction.atomic():
        # FOR UPDATE re-reads each row after a racing publication commits, so rows another
        # click published are no longer "reviewed" here.
        rows = list(
            reviewed_below(root, day).select_for_update(of=("self",)).select_related("unit")
        )
        if not rows:
            raise ValidationError(_("Không còn cấp độ nào đã thẩm định mà chưa công bố."))
        if len(rows) != expected:
            raise ValidationError(
                _(
                    "Số đơn vị chờ công bố đã thay đổi (nay là %(now)s, khi xác nhận là "
                    "%(then)s): hãy xem lại danh sách rồi xác nhận lại."
                )
                % {"now": len(rows), "then": expected}
            )
        Assessment.objects.filter(
            pk__in=[a.pk for a in rows], status=Assessment.Status.REVIEWED
        ).update(
            status=Assessment.Status.PUBLISHED,
            published_by=by,
            published_at=now,
            effective_from=effective_from,
        )
        previous = _previous_published([a.unit for a in rows], day)
        for a in rows:
            before = previous.get(a.unit_id)
            audit_record(
                actor=by,
                action="levels.publish",
                target=a,
                changes={
                    "level": a.final_level,
                    "previous": before,
                    "effective_from": effective_from.isoformat(),
                    "bulk": root.code,
                },
            )
            if before is not None and a.final_level and a.final_level > before:
                unit_id, level = a.unit_id, a.final_level
                transaction.on_commit(
                    lambda u=unit_id, p=before, lv=level: notify_rise(u, p, lv, effective_from)
                )
    return len(rows)
