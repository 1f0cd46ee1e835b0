"""Writes of the levels app: the day's assessment for every unit (set-based), the review
(with an audited override) and the committee's publication."""

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role, User
from phongdich.accounts.permissions import check_act_on_unit
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib.locks import key_lock
from phongdich.stats.models import UnitFigure

from . import rules as level_rules
from .models import Assessment
from .severe import new_severe_by_day, window_sum
from .thresholds import rules_in_force

CASES, DEATHS = "cases.new_community", "cases.deaths_pcr"
SEVERE = "severe"  # new cases needing oxygen or ventilation (severe.py), not a UnitFigure
BEDS = (
    "facilities.free_regular",
    "facilities.free_oxygen",
    "facilities.free_icu",
    "facilities.free_ventilator",
)
ICU = ("facilities.free_icu", "facilities.free_ventilator")
# F0 cared for at home at the end of a day (a stock): with the care staff, the commune's
# capacity to manage F0 at home (218). Read like the beds: the latest within the lookback.
HOME = "cases.active_home"
SNAPSHOTS = (*BEDS, HOME)
# Who manages F0 at home: the commune health station and its care team (cases.permissions).
CARE_ROLES = (Role.COMMUNE_HEALTH_WORKER, Role.CARE_TEAM_MEMBER)
# Beds are a snapshot written on the day they are read: a day without one falls back to the
# latest snapshot within this many days before it.
BEDS_LOOKBACK_DAYS = 7
# A level takes effect at least 48 hours after it is announced (RULES.md, Nghị quyết 128).
NOTICE_HOURS = 48

REVIEW_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)
PUBLISH_ROLES = (Role.COMMITTEE_MEMBER, Role.PROVINCE_ADMIN)
# Who hears of a rise in their unit's level.
NOTIFIED_ROLES = (Role.HEALTH_OFFICER, Role.COMMUNE_HEALTH_WORKER, Role.COMMITTEE_MEMBER)


def _home_province() -> AdminUnit | None:
    from phongdich.geo.selectors import home_province

    return home_province()


def compute_inputs(units: list[AdminUnit], day: date, rules) -> dict[int, dict]:
    """Inputs of every unit for the day, in a fixed number of queries whatever the number of
    units: new severe cases from the facilities' stays (severe.py), and
    case and death flows and bed snapshots from stats.UnitFigure (already summed over each
    unit's subtree), and the day's vaccination coverage (latest computed day ≤ day)."""
    by_id = {u.pk: u for u in units}
    ids = list(by_id)
    window = rules.case_window_days
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    beds_day: dict[int, dict[str, tuple[date, int]]] = defaultdict(dict)
    rows = UnitFigure.objects.filter(
        unit_id__in=ids,
        metric__in=(CASES, DEATHS, *SNAPSHOTS),
        day__gt=day - timedelta(days=max(window, BEDS_LOOKBACK_DAYS)),
        day__lte=day,
    ).values_list("unit_id", "metric", "day", "value")
    for unit_id, metric, when, value in rows:
        if metric in SNAPSHOTS:
            seen = beds_day[unit_id].get(metric)
            if seen is None or when > seen[0]:
                beds_day[unit_id][metric] = (when, value)
        elif metric == CASES and when > day - timedelta(days=window):
            sums[unit_id][CASES] += value
        elif metric == DEATHS and when > day - timedelta(days=7):
            sums[unit_id][DEATHS] += value
    coverage = _coverage(ids, day)
    severe = new_severe_by_day(units, day - timedelta(days=6), day)
    for unit_id, counts in severe.items():
        sums[unit_id][SEVERE] = window_sum(counts, day)
    staff = care_staff(by_id)
    return {
        unit_id: unit_inputs(unit, by_id, sums, beds_day, coverage, window, staff)
        for unit_id, unit in by_id.items()
    }


def care_staff(by_id: dict) -> dict[int, int]:
    """Active commune health workers and care-team members in each unit and the units
    above it (one query). The accounts as they are now: the platform keeps no daily record
    of its staff, so a past day is read with today's teams."""
    counts: dict[int, int] = defaultdict(int)
    for unit_id in User.objects.filter(
        role__in=CARE_ROLES, is_active=True, jurisdiction_id__in=list(by_id)
    ).values_list("jurisdiction_id", flat=True):
        while unit_id in by_id:
            counts[unit_id] += 1
            unit_id = by_id[unit_id].parent_id
    return counts


def unit_inputs(unit, by_id, sums, beds_day, coverage, window, staff=None) -> dict:
    """One unit's stored inputs from the day's sums (cases over the rule set's window,
    deaths over 7 days), latest bed snapshots and coverage shares (shared by the daily
    assessment and the history backfill, so both store the same inputs)."""
    unit_id = unit.pk
    population = unit.population
    own = beds_day.get(unit_id, {})
    home = own[HOME][1] if HOME in own else None
    beds = {m: v for m, v in own.items() if m != HOME}
    beds_of = unit
    if not beds and unit.kind == AdminUnit.Kind.COMMUNE and unit.parent_id in by_id:
        # A commune treats in its district's facilities: it is credited with the
        # district's vacant beds per 100,000 people.
        beds_of = by_id[unit.parent_id]
        beds = {m: v for m, v in beds_day.get(beds_of.pk, {}).items() if m != HOME}
    care = (staff or {}).get(unit_id, 0)
    free = sum(v for _d, v in beds.values()) if beds else None
    cases = sums.get(unit_id, {}).get(CASES, 0)
    deaths = sums.get(unit_id, {}).get(DEATHS, 0)
    severe = sums.get(unit_id, {}).get(SEVERE, 0)
    return {
        "population": population,
        "community_cases": cases,
        "window_days": window,
        "deaths_7_days": deaths,
        "cases_per_100k": level_rules.per_week(cases, population, window),
        "deaths_per_100k": level_rules.per_week(deaths, population, 7),
        "severe_7_days": severe,
        "severe_per_100k": level_rules.per_week(severe, population, 7),
        "free_beds": free,
        "free_beds_per_100k": level_rules.per_week(free, beds_of.population, 7),
        "beds_of": beds_of.code,
        "free_icu": sum(beds[m][1] for m in ICU if m in beds) if beds else None,
        "home_f0": home,
        "care_staff": care,
        # No care staff registered: no workload can be read (missing, not "low").
        "home_f0_per_staff": home / care if home is not None and care else None,
        **coverage.get(unit_id, {}),
    }


def _coverage(ids: list[int], day: date) -> dict[int, dict]:
    try:
        from phongdich.vaccination.models import CoverageBand, CoverageFigure
    except (ImportError, RuntimeError):  # a deployment without vaccination
        return {}
    latest = CoverageFigure.objects.filter(day__lte=day, day__gt=day - timedelta(days=7)).aggregate(
        d=Max("day")
    )["d"]
    if latest is None:
        return {}
    wanted = {
        CoverageBand.AGE_18_PLUS: (("adults_at_least_one", "at_least_one"),),
        CoverageBand.AGE_50_PLUS: (("over_50_full", "full"), ("high_risk_full", "full")),
        CoverageBand.ALL: (("population_full", "full"),),
    }
    out: dict[int, dict] = defaultdict(lambda: {"coverage_day": latest.isoformat()})
    for figure in CoverageFigure.objects.filter(unit_id__in=ids, day=latest, band__in=wanted):
        for key, field in wanted[figure.band]:
            out[figure.unit_id][key] = figure.share(field)
    return out


@transaction.atomic
def levels_assess(
    *, by, day: date, rules_code: str | None = None, province: AdminUnit | None = None
) -> list[Assessment]:
    """Assess every commune, district and the province for `day` and store each proposal.

    Reviewed and published assessments of the day are kept as they are (a re-run never
    undoes a decision); the others are replaced."""
    rules = rules_in_force(day, rules_code)
    if rules is None:
        raise ValidationError(_("Chưa có quy định đánh giá cấp độ dịch cho ngày này."))
    province = province or _home_province()
    if province is None:
        return []
    key_lock(f"levels.assess:{province.pk}:{day.isoformat()}")
    units = list(AdminUnit.objects.filter(path__startswith=province.path))
    inputs = compute_inputs(units, day, rules)
    decided = set(
        Assessment.objects.filter(day=day, unit__in=units)
        .exclude(status=Assessment.Status.PROPOSED)
        .values_list("unit_id", flat=True)
    )
    previous = _previous_published(units, day)
    Assessment.objects.filter(day=day, unit__in=units, status=Assessment.Status.PROPOSED).delete()
    rows = []
    for unit in units:
        if unit.pk in decided:
            continue
        outcome = level_rules.assess(rules, inputs[unit.pk], previous.get(unit.pk))
        rows.append(
            Assessment(
                unit=unit,
                day=day,
                rules=rules.code,
                inputs=inputs[unit.pk],
                outcome=outcome.as_dict(),
                computed_level=outcome.level,
                unconfirmed=bool(outcome.unconfirmed),
            )
        )
    store_proposals(rows)
    audit_record(
        actor=by,
        action="levels.assess",
        changes={"day": day.isoformat(), "rules": rules.code, "units": len(rows)},
    )
    return rows


def store_proposals(rows: list[Assessment]) -> None:
    """Insert new proposals: COPY on PostgreSQL (the JSON of inputs and outcome is most of
    the cost of a bulk INSERT's parameters), bulk inserts elsewhere."""
    if connection.vendor != "postgresql":
        Assessment.objects.bulk_create(rows, batch_size=1000)
        return
    now = timezone.now()
    columns = (
        "unit_id, day, rules, inputs, outcome, computed_level, unconfirmed, computed_at, "
        "status, override_reason"
    )
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY levels_assessment ({columns}) FROM STDIN") as copy:
            for a in rows:
                copy.write_row(
                    (
                        a.unit_id,
                        a.day,
                        a.rules,
                        json.dumps(a.inputs, ensure_ascii=False),
                        json.dumps(a.outcome, ensure_ascii=False),
                        a.computed_level,
                        a.unconfirmed,
                        now,
                        a.status,
                        a.override_reason,
                    )
                )


def _previous_published(units, day) -> dict[int, int]:
    """The level each unit last published before `day` (one query over the public index)."""
    out: dict[int, int] = {}
    rows = (
        Assessment.objects.filter(unit__in=units, status=Assessment.Status.PUBLISHED, day__lt=day)
        .order_by("unit_id", "-day")
        .values_list("unit_id", "level", "computed_level")
    )
    for unit_id, level, computed in rows:
        out.setdefault(unit_id, level if level is not None else computed)
    return out


@transaction.atomic
def assessment_review(*, by, assessment: Assessment, level: int, reason: str = "") -> Assessment:
    """The health department confirms the proposal or overrides it with a reason."""
    if by.role not in REVIEW_ROLES:
        raise PermissionDenied
    check_act_on_unit(by, assessment.unit)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status == Assessment.Status.PUBLISHED:
        raise ValidationError(_("Cấp độ đã công bố, không thẩm định lại."))
    if level not in level_rules.LEVELS:
        raise ValidationError(_("Cấp độ không hợp lệ."))
    reason = (reason or "").strip()
    if level != assessment.computed_level and not reason:
        raise ValidationError(_("Cần ghi lý do khi điều chỉnh cấp độ so với đề xuất."))
    assessment.level = level
    assessment.override_reason = reason if level != assessment.computed_level else ""
    assessment.status = Assessment.Status.REVIEWED
    assessment.reviewed_by = by
    assessment.reviewed_at = timezone.now()
    assessment.save()
    audit_record(
        actor=by,
        action="levels.override" if assessment.overridden else "levels.review",
        target=assessment,
        changes={
            "computed": assessment.computed_level,
            "level": level,
            "reason": assessment.override_reason,
        },
    )
    return assessment


def earliest_effective(now: datetime | None = None) -> date:
    """The first day a level published now may take effect: NOTICE_HOURS later, rounded up
    to a whole local day (a level applies from 00:00)."""
    now = timezone.localtime(now or timezone.now())
    ready = now + timedelta(hours=NOTICE_HOURS)
    start = ready.date()
    if ready.time() > time(0, 0):
        start += timedelta(days=1)
    return start


def assessment_publish(*, by, assessment: Assessment, effective_from: date) -> Assessment:
    """The committee publishes a reviewed level. Exactly one publication per unit and day
    wins under concurrency: the guarded UPDATE only matches a row still unpublished."""
    if by.role not in PUBLISH_ROLES:
        raise PermissionDenied
    check_act_on_unit(by, assessment.unit)
    now = timezone.now()
    if effective_from < earliest_effective(now):
        raise ValidationError(
            _("Cấp độ chỉ được áp dụng sau khi công bố ít nhất 48 giờ (từ ngày %(day)s).")
            % {"day": earliest_effective(now).strftime("%d/%m/%Y")}
        )
    with transaction.atomic():
        updated = Assessment.objects.filter(
            pk=assessment.pk, status=Assessment.Status.REVIEWED
        ).update(
            status=Assessment.Status.PUBLISHED,
            published_by=by,
            published_at=now,
            effective_from=effective_from,
        )
        if not updated:
            raise ValidationError(_("Cấp độ này đã được công bố hoặc chưa được thẩm định."))
        assessment.refresh_from_db()
        previous = _previous_published([assessment.unit], assessment.day).get(assessment.unit_id)
        audit_record(
            actor=by,
            action="levels.publish",
            target=assessment,
            changes={
                "level": assessment.final_level,
                "previous": previous,
                "effective_from": effective_from.isoformat(),
            },
        )
        if previous is not None and assessment.final_level and assessment.final_level > previous:
            unit_id, level = assessment.unit_id, assessment.final_level
            transaction.on_commit(lambda: notify_rise(unit_id, previous, level, effective_from))
    return assessment


def notify_rise(unit_id: int, previous: int, level: int, effective_from: date) -> int:
    """E-mail the unit's officers that its level rises (after commit: a rolled-back
    publication never sends). Returns the number of addresses written to."""
    unit = AdminUnit.objects.get(pk=unit_id)
    recipients = list(
        User.objects.filter(jurisdiction=unit, role__in=NOTIFIED_ROLES, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    send_mail(
        f"[Cấp độ dịch] {unit.label()}: cấp {previous} → cấp {level}",
        f"Ban Chỉ đạo đã công bố cấp độ dịch {level} ({level_rules.COLOURS[level]}) cho "
        f"{unit.label()}, áp dụng từ ngày {effective_from:%d/%m/%Y} (trước đó: cấp {previous}).",
        None,
        recipients,
    )
    return len(recipients)
