"""Helpers every sub-domain of the case services shares: today's date, the province's
clinical thresholds, the risk score, the open-alert counters on a case, and which facility
kinds hold each treatment place's bed.
"""

from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from phongdich.facilities.models import Facility
from phongdich.lib.configcache import ConfigCache

from .. import rules
from ..models import (
    Alert,
    Case,
    ThresholdRow,
    TreatmentPlace,
)

F0_LABEL = "F0 (đường link cá nhân)"
LINK_VALID_DAYS = 21  # longest isolation (14 days) plus a week for late reporting
# Where each treatment place's bed is, for registering into a place and for transfers.
PLACE_FACILITY_KINDS = {
    TreatmentPlace.ISOLATION: (Facility.Kind.ISOLATION_SITE,),
    TreatmentPlace.TIER1: (Facility.Kind.HOSPITAL_TIER1,),
    TreatmentPlace.TIER2: (Facility.Kind.HOSPITAL_TIER2,),
    TreatmentPlace.TIER3: (Facility.Kind.HOSPITAL_TIER3,),
    TreatmentPlace.ICU: (Facility.Kind.HOSPITAL_TIER3, Facility.Kind.HOSPITAL_TIER2),
}
HOSPITAL_PLACES = (TreatmentPlace.TIER1, TreatmentPlace.TIER2, TreatmentPlace.TIER3, "icu")


def _today() -> date:
    return timezone.localdate()


def _age_months(person, on: date | None = None) -> int | None:
    return rules.age_in_months(
        on=on or _today(), birth_date=person.birth_date, birth_year=person.birth_year
    )


def _thresholds_load() -> dict[str, rules.Threshold]:
    table = dict(rules.THRESHOLDS)
    rows = ThresholdRow.objects.values_list(
        "key", "value", "regulation", "valid_from", "note", "confirmed"
    )
    for key, value, regulation, valid_from, note, confirmed in rows:
        if key in table:  # a row the rules no longer name is ignored
            table[key] = rules.Threshold(value, regulation, valid_from, note, confirmed)
    return table


# Every F0 check reads the table; it was one query per check (~400,000 a day at the peak).
# Kept per process like the checkpoint's decision table (lib.configcache): an edit on the
# policy pages reaches every worker within CONFIG_CACHE_STAMP_SECONDS.
_THRESHOLDS = ConfigCache("cases.thresholds", _thresholds_load, watch=(ThresholdRow,))


def thresholds() -> dict[str, rules.Threshold]:
    """The province's clinical thresholds (rows seeded from `rules.THRESHOLDS`, edited on the
    policy pages) over the built-in table, as the plain values the rules take. A copy, so a
    caller may change its own."""
    return dict(_THRESHOLDS.get())


def _risk_score(case: Case, table: dict | None = None) -> int:
    months = _age_months(case.person)
    return len(
        rules.risk_factors(
            age_years=months // 12 if months is not None else None,
            has_comorbidity=bool(case.comorbidities),
            fully_vaccinated=case.fully_vaccinated,
            thresholds=table or thresholds(),
        )
    )


def _refresh_alert_counters(case: Case) -> None:
    """Recount the case's open alerts into its queue-sorting columns (one query each way)."""
    counts = Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).aggregate(
        total=Count("pk"), danger=Count("pk", filter=Q(kind=Alert.Kind.DANGER))
    )
    Case.objects.filter(pk=case.pk).update(
        open_alerts=counts["total"], open_danger_alerts=counts["danger"]
    )
    case.open_alerts, case.open_danger_alerts = counts["total"], counts["danger"]


def _close_open_alerts(*, by, case: Case, note: str) -> None:
    from ..signals import alert_handled

    now = timezone.now()
    closing = list(Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES))
    Alert.objects.filter(pk__in=[a.pk for a in closing]).update(
        status=Alert.Status.RESOLVED, closed_at=now, handled_by=by, note=note
    )
    _refresh_alert_counters(case)
    # Their hotline tickets are closed too: the F0 recovered or died, nothing is left to do.
    for alert in closing:
        alert.status, alert.closed_at, alert.note = Alert.Status.RESOLVED, now, note
        alert_handled.send(sender=Alert, alert=alert, by=by, action="close")
