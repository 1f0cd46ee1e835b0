"""Every read on F0 cases, scoped to the reader's jurisdiction (the case's care commune)."""

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.lib.pagination import Key, keyset_order

from .models import (
    OPEN_STATUSES,
    Alert,
    Case,
    CaseStatus,
    DailyReport,
    HealthCheck,
    TreatmentPlace,
    case_province,
)


def cases_visible_to(user) -> QuerySet[Case]:
    return scope_to_jurisdiction(Case.objects.all(), user, "commune").select_related(
        "person", "commune__parent", "facility"
    )


def case_get(user, pk: int) -> Case:
    """The case if the user may see it; Http404 otherwise (hidden and missing look alike)."""
    case = cases_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def alert_get(user, pk: int) -> Alert:
    alert = (
        scope_to_jurisdiction(Alert.objects.all(), user, "case__commune")
        .select_related("case__person", "case__commune")
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        raise Http404
    return alert


QUEUE_PLACES = (TreatmentPlace.HOME, TreatmentPlace.ISOLATION)
QUEUE_FIELDS = (
    "status",
    "commune_id",
    "severity",
    "open_alerts",
    "open_danger_alerts",
    "last_check_at",
    "risk_score",
    "person__full_name",
    "person__birth_year",
    "person__phone",
)


# The home page's figures link to the queue filtered by these (cases.panels counts the same).
# The queue's order as keyset keys (lib.pagination): the views page by these, so page 200
# of a province's queue seeks to its place instead of reading 20,000 rows first.
QUEUE_KEYS = (
    Key("open_danger_alerts", descending=True),
    Key("open_alerts", descending=True),
    Key("last_check_at", nulls_first=True),
    Key("risk_score", descending=True),
    Key("pk"),
)
QUEUE_SHOWS = {
    "danger": Q(open_danger_alerts__gt=0),
    "alerts": Q(open_alerts__gt=0, open_danger_alerts=0),
}


def care_queue(user, *, commune_id: int | None = None, show: str = "") -> QuerySet[Case]:
    """The care team's F0s at home or in an isolation site, most urgent first: open danger
    alerts, then any open alert, then the longest silence (never checked first), then risk
    factors (age ≥ 50, comorbidity, not fully vaccinated). Served by case_queue_idx."""
    qs = (
        scope_to_jurisdiction(Case.objects.all(), user, "commune")
        .filter(status=CaseStatus.ACTIVE, treatment_place__in=QUEUE_PLACES)
        .select_related("person")
        # Only what a queue row shows: building 2,000 full Case + Person objects costs more
        # than the query itself.
        .only(*QUEUE_FIELDS)
    )
    if commune_id:
        qs = qs.filter(commune_id=commune_id)
    if show in QUEUE_SHOWS:
        qs = qs.filter(QUEUE_SHOWS[show])
    return qs.order_by(*keyset_order(Case, QUEUE_KEYS))


def attach_open_alerts(cases) -> None:
    """Set `open_alert_list` on each case, in one query over only the cases whose counter
    says they have open alerts (a few per cent of a queue), instead of a prefetch over all."""
    flagged = [case.pk for case in cases if case.open_alerts]
    by_case: dict[int, list[Alert]] = {}
    if flagged:
        alerts = (
            Alert.objects.filter(case_id__in=flagged, status__in=Alert.OPEN_STATES)
            .only("case_id", "kind", "status", "reasons")
            .order_by("-created_at")
        )
        for alert in alerts:
            by_case.setdefault(alert.case_id, []).append(alert)
    for case in cases:
        case.open_alert_list = by_case.get(case.pk, [])


def cases_alerts_visible(user) -> QuerySet[Alert]:
    return scope_to_jurisdiction(Alert.objects.all(), user, "case__commune")


def transfers_to_do(user) -> QuerySet[Case]:
    """The queue's "Cần chuyển tuyến": open cases with a transfer to do (an escalated danger
    alert, ineligible for home care, severity "nặng"), the longest waiting first."""
    return (
        cases_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .exclude(transfer_need="")
        .order_by("transfer_need_since", "pk")
    )


def alert_ticket_id(alert: Alert) -> int | None:
    """The hotline ticket opened for this alert, if the hotline is installed and made one."""
    if not apps.is_installed("phongdich.hotline"):
        return None
    try:
        return alert.ticket.pk
    except ObjectDoesNotExist:
        return None


def pending_cases(user) -> QuerySet[Case]:
    return cases_visible_to(user).filter(status=CaseStatus.PENDING).order_by("created_at")


def case_checks(case: Case, limit: int = 30) -> list[HealthCheck]:
    # The province names the case's partition of the checks (PostgreSQL, migration 0011).
    checks = case.checks.filter(province=case_province(case))
    return list(checks.select_related("entered_by")[:limit])


def case_results(case: Case, limit: int = 30):
    """The case's test results, newest first: every one lives in the labtests app (the
    moved old results, lab posts and imports, the samples its teams took)."""
    return list(case.samples.order_by("-taken_at", "-pk")[:limit])


def case_alerts(case: Case) -> list[Alert]:
    return list(case.alerts.select_related("handled_by")[:50])


def case_by_certificate(code: str) -> Case | None:
    """Public verification: the recovered case with this certificate code, or None."""
    if not code or len(code) > 40:
        return None
    return (
        Case.objects.select_related("person", "commune__parent")
        .filter(certificate_code=code, status=CaseStatus.RECOVERED)
        .first()
    )


def published_reports(unit=None) -> QuerySet[DailyReport]:
    qs = DailyReport.objects.filter(status=DailyReport.Status.PUBLISHED).select_related("unit")
    return qs.filter(unit=unit) if unit else qs


def reports_for(user) -> QuerySet[DailyReport]:
    """Reports of the user's own unit and the units above it (aggregates only)."""
    unit = getattr(user, "jurisdiction", None)
    if unit is None:
        return DailyReport.objects.none()
    codes = unit.path.strip("/").split("/")
    return DailyReport.objects.filter(unit__code__in=codes).select_related("unit")


def case_summary_for_person(person) -> dict | None:
    """Contract for the hotline: the person's open case in a few fields, or None.

    Callers have already checked that their user may see `person`. Only what a hotline
    agent needs to answer the caller (status, place of care, days since onset, open alerts):
    no identifiers, no clinical detail."""
    case = (
        Case.objects.filter(person=person, status__in=OPEN_STATUSES)
        .order_by("-pk")
        .select_related("facility")
        .only(
            "pk",
            "status",
            "severity",
            "commune_id",
            "open_alerts",
            "open_danger_alerts",
            "last_check_at",
            "treatment_place",
            "facility__name",
            "diagnosed_on",
            "transfer_need",
        )
        .first()
    )
    if case is None:
        return None
    return {
        "case_id": case.pk,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "severity": case.severity,
        "severity_label": str(case.get_severity_display()),
        "commune_id": case.commune_id,
        "open_alerts": int(case.open_alerts),
        "open_danger_alerts": int(case.open_danger_alerts),
        "last_check_at": case.last_check_at,
        "place_label": str(case.get_treatment_place_display()),
        "facility_name": case.facility.name if case.facility_id else "",
        "days_since_onset": (timezone.localdate() - case.diagnosed_on).days,
        "transfer_need_label": str(case.get_transfer_need_display()) if case.transfer_need else "",
        "url": reverse("cases:detail", args=[case.pk]),
    }
