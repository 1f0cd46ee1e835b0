"""The daily announcement: each unit's figures for the day, drafted, edited and published."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import check_act_on_unit
from phongdich.audit.services import audit_record

from ..models import (
    Case,
    CaseStatus,
    DailyReport,
    Death,
    DetectionSetting,
    OccupationGroup,
    TreatmentPlace,
)
from ..permissions import REPORT_EDIT_ABOVE_ROLES
from ._common import _today


def daily_figures(*, unit, day: date) -> dict:
    """The day's figures for `unit`'s subtree, as published (JSON-ready)."""
    in_unit = Case.objects.filter(commune__path__startswith=unit.path)
    new = in_unit.filter(diagnosed_on=day).exclude(status=CaseStatus.PENDING)
    by_district = dict(new.values_list("commune__parent__name").annotate(n=Count("pk")).order_by())
    by_detection = dict(new.values_list("detection").annotate(n=Count("pk")))
    by_occupation = dict(new.values_list("occupation").annotate(n=Count("pk")))
    active_by_place = dict(
        in_unit.filter(status__in=(CaseStatus.ACTIVE, CaseStatus.TRANSFERRED))
        .values_list("treatment_place")
        .annotate(n=Count("pk"))
    )
    deaths = Death.objects.filter(case__commune__path__startswith=unit.path, died_on=day)
    total_new = sum(by_detection.values())
    community = by_detection.get(DetectionSetting.COMMUNITY, 0)
    screening = by_detection.get(DetectionSetting.SCREENING, 0)
    return {
        "date": day.isoformat(),
        "new_total": total_new,
        "new_by_district": sorted(by_district.items(), key=lambda kv: (-kv[1], kv[0])),
        "new_community": community,
        "new_quarantine_lockdown": by_detection.get(DetectionSetting.QUARANTINE, 0)
        + by_detection.get(DetectionSetting.LOCKDOWN, 0),
        "new_screening": screening,
        "screening_share_percent": round(100 * screening / total_new, 1) if total_new else 0.0,
        "new_by_occupation": {key: by_occupation.get(key, 0) for key in OccupationGroup.values},
        # Seed 000: only PCR-confirmed deaths are announced as COVID-19 deaths.
        "deaths_pcr_confirmed": deaths.filter(pcr_confirmed=True).count(),
        "deaths_not_confirmed": deaths.filter(pcr_confirmed=False).count(),
        "recovered": in_unit.filter(released_on=day).count(),
        "active_by_place": {key: active_by_place.get(key, 0) for key in TreatmentPlace.values},
        "active_total": sum(active_by_place.values()),
    }


@transaction.atomic
def daily_report_draft(*, by, unit, day: date) -> DailyReport:
    """Draft (or redraft) the day's announcement from the registry. Published reports stay
    as published: a correction is a new commentary, not silently changed figures.
    `by=None` is the scheduler, which drafts for every province."""
    if by is not None:
        check_act_on_unit(by, unit, roles_above=REPORT_EDIT_ABOVE_ROLES)
    report, _created = DailyReport.objects.select_for_update().get_or_create(
        unit=unit, report_date=day
    )
    if report.status == DailyReport.Status.PUBLISHED:
        raise ValidationError(_("Báo cáo ngày này đã công bố."))
    report.figures = daily_figures(unit=unit, day=day)
    report.save()
    audit_record(actor=by, action="cases.report_draft", target=report)
    return report


@transaction.atomic
def daily_report_publish(*, by, report: DailyReport, commentary: str) -> DailyReport:
    check_act_on_unit(by, report.unit, roles_above=REPORT_EDIT_ABOVE_ROLES)
    moved = DailyReport.objects.filter(pk=report.pk, status=DailyReport.Status.DRAFT).update(
        status=DailyReport.Status.PUBLISHED,
        commentary=commentary.strip(),
        published_at=timezone.now(),
        published_by=by,
    )
    if not moved:
        raise ValidationError(_("Báo cáo này đã được công bố."))
    report.refresh_from_db()
    audit_record(actor=by, action="cases.report_publish", target=report)
    return report


def daily_reports_draft_all(*, day: date | None = None) -> int:
    """Draft the day's announcement for every province (run each evening by cron or the
    task queue); published ones are left alone. Returns how many drafts were written."""
    from phongdich.geo.models import AdminUnit

    day = day or _today()
    count = 0
    for province in AdminUnit.objects.filter(kind=AdminUnit.Kind.PROVINCE):
        if not Case.objects.filter(commune__path__startswith=province.path).exists():
            continue
        try:
            daily_report_draft(by=None, unit=province, day=day)
        except ValidationError:  # already published
            continue
        count += 1
    return count
