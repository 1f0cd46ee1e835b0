from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import home_province
from phongdich.lib.locks import key_lock

from . import sections
from .models import Briefing

# A briefing covers at most a quarter: longer ranges belong to the statistics exports.
MAX_RANGE_DAYS = 92


def _check_range(day_from: date, day_to: date) -> None:
    if day_from > day_to:
        raise ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
    if (day_to - day_from).days + 1 > MAX_RANGE_DAYS:
        raise ValidationError(_("Báo cáo nhanh lập cho tối đa %(n)s ngày.") % {"n": MAX_RANGE_DAYS})
    if day_to > timezone.localdate():
        raise ValidationError(_("Không lập báo cáo cho ngày chưa tới."))


def content_for(unit: AdminUnit, day_from: date, day_to: date) -> dict:
    """The briefing's figures as of now. Written in Vietnamese whatever the reader's
    language: it is the committee's paper, filed and printed as such."""
    with translation.override("vi"):
        built = [build(unit, day_from, day_to) for build in sections.builders()]
    return {
        "unit": unit.name,
        "unit_code": unit.code,
        "day_from": day_from.isoformat(),
        "day_to": day_to.isoformat(),
        "drafted_at": timezone.localtime().isoformat(timespec="minutes"),
        "sections": [s for s in built if s],
    }


@transaction.atomic
def briefing_create(*, by, unit: AdminUnit, day_from: date, day_to: date) -> Briefing:
    _check_range(day_from, day_to)
    briefing = Briefing.objects.create(
        unit=unit,
        day_from=day_from,
        day_to=day_to,
        kind=Briefing.Kind.ON_DEMAND,
        content=content_for(unit, day_from, day_to),
        drafted_by=by,
    )
    audit_record(
        actor=by,
        action="reports.briefing_create",
        target=briefing,
        changes={"from": day_from.isoformat(), "to": day_to.isoformat()},
    )
    return briefing


def briefing_draft_daily(*, unit: AdminUnit, day: date) -> Briefing | None:
    """The day's automatic draft, once per unit and day: a second worker running the job at
    the same moment waits on the lock, then finds the first one's draft."""
    try:
        with transaction.atomic():
            key_lock(f"briefing:{unit.pk}:{day.isoformat()}")
            if Briefing.objects.filter(unit=unit, day_to=day, kind=Briefing.Kind.DAILY).exists():
                return None
            briefing = Briefing.objects.create(
                unit=unit,
                day_from=day,
                day_to=day,
                kind=Briefing.Kind.DAILY,
                content=content_for(unit, day, day),
            )
            audit_record(
                actor=None,
                action="reports.briefing_draft",
                target=briefing,
                changes={"day": day.isoformat()},
            )
            return briefing
    except IntegrityError:
        return None


def draft_hour() -> int:
    return settings.BRIEFING_DRAFT_HOUR


def drafts_due(now=None) -> list[Briefing]:
    """Drafts the daily job makes: from the configured hour, yesterday's figures (a whole
    day) for the province and each district; nothing before the hour."""
    now = timezone.localtime(now)
    if now.hour < draft_hour():
        return []
    day = now.date() - timedelta(days=1)
    made = []
    province = home_province()
    if province is None:
        return []
    for unit in [province, *province.children.order_by("code")]:
        briefing = briefing_draft_daily(unit=unit, day=day)
        if briefing is not None:
            made.append(briefing)
    return made
