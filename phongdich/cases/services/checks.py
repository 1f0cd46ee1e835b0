"""The F0's personal link and the health checks sent through it; a check with danger signs
raises an alert, and the care team is told after the commit.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_event, audit_record
from phongdich.lib.query import FixedQuery, Param, Update, insert_unless_taken, write_together
from phongdich.lib.tokens import hash_token

from .. import rules
from ..models import (
    Alert,
    Case,
    CaseLink,
    CaseStatus,
    HealthCheck,
    case_province,
)
from ..signals import danger_alert_raised
from ._common import F0_LABEL, LINK_VALID_DAYS, _age_months, thresholds
from .transfer_need import transfer_need_sync


@transaction.atomic
def case_link_issue(*, by, case: Case) -> tuple[CaseLink, str]:
    """A fresh personal link for the F0; older links stop working."""
    if not case.is_open:
        raise ValidationError(_("Ca bệnh đã kết thúc, không cấp đường link mới."))
    now = timezone.now()
    CaseLink.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=now)
    link, raw = CaseLink.mint(valid_for=timedelta(days=LINK_VALID_DAYS), case=case)
    audit_record(actor=by, action="cases.link_issue", target=case)
    return link, raw


def case_by_link(raw: str) -> Case | None:
    """The followed F0 (with their person) behind a live personal link, or None: unknown,
    revoked and expired links and closed cases look the same to the citizen.

    One statement (the link joined to its case), where the link and then its case were two
    round trips on every one of the province's checks."""
    if not raw or len(raw) > 100:
        return None
    found = _CASE_BY_LINK.rows(token_hash=hash_token(raw), now=timezone.now())
    return found[0] if found else None


# Compiled once per process (lib.query.FixedQuery): every check of the province runs it.
# The hash is unique: no ORDER BY for first() to add.
_CASE_BY_LINK = FixedQuery(
    lambda: (
        Case.objects.select_related("person")
        .filter(
            links__token_hash=Param("token_hash", CaseLink._meta.get_field("token_hash")),
            links__revoked_at__isnull=True,
            links__expires_at__gt=Param("now", CaseLink._meta.get_field("expires_at")),
            status__in=(CaseStatus.ACTIVE, CaseStatus.PENDING),
        )
        .order_by()[:1]
    )
)


def new_submission_key() -> str:
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class CheckOutcome:
    check: HealthCheck
    alert: Alert | None
    created: bool


@transaction.atomic
def check_submit(
    *,
    case: Case,
    by=None,
    submission_key: str,
    temperature=None,
    spo2: int | None = None,
    respiratory_rate: int | None = None,
    pulse: int | None = None,
    bp_systolic: int | None = None,
    bp_diastolic: int | None = None,
    symptoms: Iterable[str] = (),
    note: str = "",
    at: datetime | None = None,
) -> CheckOutcome:
    """Record one check (by the F0 through the link, or staff after a call), evaluate the
    danger signs for the F0's age group and raise a danger alert at once when any is found.

    The same submission key twice (a double tap) records one check.
    """
    # No look-up before the insert: the unique (case, submission_key) constraint decides
    # (ON CONFLICT DO NOTHING, so no savepoint either), which saves round trips on every
    # one of the province's ~400,000 checks a day.
    if case.status not in (CaseStatus.ACTIVE, CaseStatus.PENDING):
        raise ValidationError(_("Ca bệnh không còn được theo dõi tại nhà."))
    symptoms = [s for s in symptoms if s in rules.ALL_SYMPTOMS]
    vitals = rules.Vitals(
        temperature=float(temperature) if temperature is not None else None,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
        pulse=pulse,
        bp_systolic=bp_systolic,
        bp_diastolic=bp_diastolic,
        symptoms=tuple(symptoms),
    )
    table = thresholds()
    signs = rules.danger_signs(vitals, age_months=_age_months(case.person), thresholds=table)
    staff = by if getattr(by, "is_authenticated", False) else None
    check = HealthCheck(
        case=case,
        # The partition key, from the case row already loaded (no query; cases.models).
        province=case_province(case),
        at=at or timezone.now(),
        source=HealthCheck.Source.STAFF if staff else HealthCheck.Source.SELF,
        temperature=temperature,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
        pulse=pulse,
        bp_systolic=bp_systolic,
        bp_diastolic=bp_diastolic,
        symptoms=symptoms,
        danger_signs=[sign.text for sign in signs],
        note=note[:500],
        entered_by=staff,
        submission_key=submission_key,
    )
    if not insert_unless_taken(check, unique_fields=("case", "submission_key", "province")):
        # The same form sent twice (a double tap, or two racing): the first one won.
        first = HealthCheck.objects.get(
            case=case, province=check.province, submission_key=submission_key
        )
        return CheckOutcome(first, None, False)

    updates: dict = {"last_check_at": check.at}
    new_severity = rules.severity(vitals, thresholds=table)
    # Checks only ever raise the recorded severity; lowering it is a clinical decision.
    if rules.Severity.ORDER.index(new_severity) > rules.Severity.ORDER.index(case.severity):
        updates["severity"] = new_severity
    had_open_alerts = case.open_alerts > 0
    if had_open_alerts:
        # Contact is re-established: a pending "no contact" alert has done its job.
        Alert.objects.filter(
            case=case, kind=Alert.Kind.NO_CONTACT, status__in=Alert.OPEN_STATES
        ).update(
            status=Alert.Status.RESOLVED,
            closed_at=timezone.now(),
            note=_("F0 đã gửi phiếu theo dõi"),
        )
    alert = None
    if signs:
        alert = Alert.objects.create(
            case=case,
            kind=Alert.Kind.DANGER,
            reasons=[sign.text for sign in signs],
            health_check=check,
        )
        transaction.on_commit(lambda: _after_danger_alert(alert.pk))
    counters = None
    if had_open_alerts:
        # Some were resolved above: recount (one query), written with the check's UPDATE.
        counters = Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).aggregate(
            total=Count("pk"), danger=Count("pk", filter=Q(kind=Alert.Kind.DANGER))
        )
        updates["open_alerts"], updates["open_danger_alerts"] = (
            counters["total"],
            counters["danger"],
        )
    elif alert is not None:
        # The first open alert: counted up in the same UPDATE, no recount (an alert raised
        # meanwhile by another writer is counted too, the increment being in the row).
        updates["open_alerts"] = F("open_alerts") + 1
        updates["open_danger_alerts"] = F("open_danger_alerts") + 1
    # The usual check (no alert before or after) costs one UPDATE of the case here, and a
    # check that raises or clears alerts the same one (it was a recount and two UPDATEs).
    case_update = Update(Case.objects.filter(pk=case.pk), **updates)
    event = audit_event(
        actor=by,
        action="cases.check",
        target=case,
        changes={"check": check.pk, "danger": check.danger_signs},
        actor_label="" if staff else F0_LABEL,
    )
    resync = "severity" in updates
    # The usual check: the case's UPDATE and the audit event in one statement (issue 17);
    # a new severity first updates the case, from which the transfer need is worked out.
    write_together(case_update, None if resync else event)
    if "open_alerts" in updates and counters is None:
        updates["open_alerts"] = case.open_alerts + 1
        updates["open_danger_alerts"] = case.open_danger_alerts + 1
    for field, value in updates.items():
        setattr(case, field, value)
    if resync:
        transfer_need_sync(by=staff, case=case)
        write_together(event)
    return CheckOutcome(check, alert, True)


def _after_danger_alert(alert_id: int) -> None:
    from ..tasks import notify_danger_alert

    alert = Alert.objects.select_related("case").get(pk=alert_id)
    danger_alert_raised.send(sender=Alert, alert=alert, case=alert.case)
    notify_danger_alert.enqueue(alert_id)
