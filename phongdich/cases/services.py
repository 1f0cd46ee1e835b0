"""Every write on F0 cases. Keyword-only, atomic, audited; side effects after commit."""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import check_act_on_unit
from phongdich.audit.services import audit_record
from phongdich.facilities.models import Facility
from phongdich.facilities.services import facility_occupy
from phongdich.lib import idempotency
from phongdich.lib.locks import key_lock
from phongdich.people.models import Person
from phongdich.people.services import MatchScope, person_register

from . import rules
from .models import (
    OPEN_STATUSES,
    Alert,
    Case,
    CaseLink,
    CaseSource,
    CaseStatus,
    DailyReport,
    Death,
    DetectionSetting,
    HealthCheck,
    LabResult,
    MedicineBag,
    MobileStationVisit,
    OccupationGroup,
    SeverityLevel,
    ThresholdRow,
    Transfer,
    TreatmentPlace,
    Vaccination,
)
from .permissions import REPORT_EDIT_ABOVE_ROLES
from .signals import danger_alert_raised

F0_LABEL = "F0 (đường link cá nhân)"
LINK_VALID_DAYS = 21  # longest isolation (14 days) plus a week for late reporting


def _today() -> date:
    return timezone.localdate()


def _age_months(person, on: date | None = None) -> int | None:
    return rules.age_in_months(
        on=on or _today(), birth_date=person.birth_date, birth_year=person.birth_year
    )


def thresholds() -> dict[str, rules.Threshold]:
    """The province's clinical thresholds (rows seeded from `rules.THRESHOLDS`, edited on the
    policy pages) over the built-in table, as the plain values the rules take. One small
    query per write; not cached, so every worker follows an edit at once."""
    table = dict(rules.THRESHOLDS)
    rows = ThresholdRow.objects.values_list(
        "key", "value", "regulation", "valid_from", "note", "confirmed"
    )
    for key, value, regulation, valid_from, note, confirmed in rows:
        if key in table:  # a row the rules no longer name is ignored
            table[key] = rules.Threshold(value, regulation, valid_from, note, confirmed)
    return table


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
    now = timezone.now()
    Alert.objects.filter(case=case, status__in=Alert.OPEN_STATES).update(
        status=Alert.Status.RESOLVED, closed_at=now, handled_by=by, note=note
    )
    _refresh_alert_counters(case)


# --- registration --------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonData:
    full_name: str
    birth_year: int | None = None
    birth_date: date | None = None
    sex: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""

    def register(self, *, by, commune, force_new: bool = False):
        """The person through the matching service: (person, created).

        A match is reused only if their open case (where registering a case or a result
        would lead the caller) lies in the caller's jurisdiction too; otherwise the caller
        gets a new local person and the case's commune a referral."""
        return person_register(
            leads_to=_open_case_unit,
            by=by,
            full_name=self.full_name,
            birth_year=self.birth_year,
            birth_date=self.birth_date,
            sex=self.sex,
            phone=self.phone,
            id_number=self.id_number,
            address=self.address,
            commune=commune,
            force_new=force_new,
        )


def open_case_for(person) -> Case | None:
    return Case.objects.filter(person=person, status__in=OPEN_STATUSES).order_by("-pk").first()


def _open_case_unit(person):
    case = (
        Case.objects.filter(person=person, status__in=OPEN_STATUSES)
        .select_related("commune")
        .first()
    )
    return case.commune if case is not None else None


@transaction.atomic
def case_register(
    *,
    by,
    person_data: PersonData | None = None,
    person=None,
    commune,
    evidence: Sequence[rules.LabEvidence] = (),
    is_f1: bool = False,
    has_symptoms: bool = False,
    has_epi_link: bool = False,
    symptoms: Sequence[str] = (),
    spo2: int | None = None,
    respiratory_rate: int | None = None,
    detection: str = DetectionSetting.COMMUNITY,
    occupation: str = OccupationGroup.OTHER,
    vaccination: str = Vaccination.NONE,
    comorbidities: str = "",
    comorbidity_stable: bool = False,
    pregnant: bool = False,
    can_self_care: bool = True,
    treatment_place: str = TreatmentPlace.HOME,
    facility: Facility | None = None,
    diagnosed_on: date | None = None,
    source: str = CaseSource.STAFF,
    force_new_person: bool = False,
    record_evidence: bool = False,
    lab: str = "",
    sample_id: str = "",
) -> tuple[Case, bool]:
    """Register an F0 (or return the person's open case). Returns (case, created).

    The person goes through the matching service, so the same CCCD or phone + name + birth
    year never makes a second person; a person with an open case never gets a second one.
    The case is classified by 11042 (pending with the reason when not yet confirmed) and its
    home-care eligibility evaluated by 261.
    """
    if person is None:
        if person_data is None:
            raise ValueError("person or person_data is required")
        person, _created = person_data.register(by=by, commune=commune, force_new=force_new_person)
    # The person's row is the lock for "one open case": a second registration of the same
    # person waits here and then finds the first one's case.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    existing = open_case_for(person)
    if existing is not None:
        return existing, False

    table = thresholds()
    classification = rules.classify_case(
        evidence,
        is_f1=is_f1,
        has_symptoms=has_symptoms,
        has_epi_link=has_epi_link,
        thresholds=table,
    )
    vitals = rules.Vitals(spo2=spo2, respiratory_rate=respiratory_rate, symptoms=tuple(symptoms))
    eligibility = rules.home_care_eligibility(
        confirmed=classification.confirmed,
        vitals=vitals,
        age_months=_age_months(person),
        has_comorbidity=bool(comorbidities),
        comorbidity_stable=comorbidity_stable,
        can_self_care_or_has_carer=can_self_care,
        thresholds=table,
    )
    if treatment_place != TreatmentPlace.HOME and (
        facility is None or facility.kind not in PLACE_FACILITY_KINDS[treatment_place]
    ):
        raise ValidationError({"facility": _("Cơ sở không phù hợp với nơi điều trị.")})
    status = CaseStatus.ACTIVE if classification.confirmed else CaseStatus.PENDING
    if status == CaseStatus.ACTIVE and treatment_place in HOSPITAL_PLACES:
        status = CaseStatus.TRANSFERRED  # admitted straight to hospital
    diagnosed_on = diagnosed_on or (
        timezone.localtime(min(e.taken_at for e in evidence)).date() if evidence else _today()
    )
    case = Case(
        person=person,
        commune=commune,
        status=status,
        source=source,
        basis=classification.basis,
        basis_reason=classification.reason,
        is_f1=is_f1,
        has_symptoms=has_symptoms or bool(symptoms),
        has_epi_link=has_epi_link,
        detection=detection,
        occupation=occupation,
        vaccination=vaccination,
        comorbidities=comorbidities,
        comorbidity_stable=comorbidity_stable,
        pregnant=pregnant,
        can_self_care=can_self_care,
        severity=rules.severity(vitals, thresholds=table),
        treatment_place=treatment_place,
        facility=facility,
        home_care_eligible=eligibility.eligible,
        home_care_reasons=list(eligibility.reasons),
        diagnosed_on=diagnosed_on,
        isolation_start=diagnosed_on,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    case.risk_score = _risk_score(case, table)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # the case_one_open_per_person constraint: a backstop
        raise ValidationError(
            _("Người này vừa được ghi nhận một ca bệnh khác chưa kết thúc; hãy tải lại trang.")
        ) from exc
    if facility is not None:
        facility_occupy(by=by, facility=facility, delta=1, icu=treatment_place == "icu")
    if record_evidence:
        _record_evidence(by=by, case=case, evidence=evidence, lab=lab, sample_id=sample_id)
    audit_record(
        actor=by,
        action="cases.register",
        target=case,
        changes={
            "status": case.status,
            "basis": case.basis,
            "source": source,
            "commune": commune.code,
            "home_care_eligible": case.home_care_eligible,
        },
        actor_label="" if by else F0_LABEL,
    )
    return case, True


def _record_evidence(*, by, case: Case, evidence, lab: str, sample_id: str) -> None:
    for index, item in enumerate(evidence):
        result = LabResult(
            person=case.person,
            case=case,
            commune=case.commune,
            kind=item.kind,
            positive=item.positive,
            taken_at=item.taken_at,
            supervised=item.supervised,
            lab=lab,
            sample_id=sample_id if index == 0 else "",
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        try:
            with transaction.atomic():
                result.save()
        except IntegrityError as exc:
            raise ValidationError(
                {"sample_id": _("Mã mẫu này đã được ghi nhận trước đó.")}
            ) from exc


@transaction.atomic
def case_verify(
    *,
    by,
    case: Case,
    is_f1: bool,
    has_symptoms: bool,
    has_epi_link: bool,
    rat_supervised: bool,
) -> Case:
    """Staff re-classify a pending case after checking it (e.g. a self-test the station has
    now supervised remotely, which 11042 accepts). Raises when it still is not a case."""
    if case.status != CaseStatus.PENDING:
        raise ValidationError(_("Ca bệnh này không ở trạng thái chờ xác minh."))
    evidence = [
        rules.LabEvidence(t.kind, t.positive, t.taken_at, supervised=t.supervised or rat_supervised)
        for t in case.tests.all()
    ]
    classification = rules.classify_case(
        evidence,
        is_f1=is_f1,
        has_symptoms=has_symptoms,
        has_epi_link=has_epi_link,
        thresholds=thresholds(),
    )
    if not classification.confirmed:
        raise ValidationError(classification.reason)
    if rat_supervised:
        case.tests.filter(kind=LabResult.Kind.RAT).update(supervised=True)
    case.is_f1, case.has_symptoms, case.has_epi_link = is_f1, has_symptoms, has_epi_link
    case.basis, case.basis_reason = classification.basis, classification.reason
    case.status = CaseStatus.ACTIVE
    case.save()
    audit_record(actor=by, action="cases.verify", target=case, changes={"basis": case.basis})
    return case


@transaction.atomic
def case_home_care_override(*, by, case: Case, eligible: bool, reason: str) -> Case:
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do khi điều chỉnh.")})
    before = case.home_care_eligible
    case.home_care_eligible, case.home_care_override = eligible, reason.strip()
    case.save(update_fields=["home_care_eligible", "home_care_override", "updated_at"])
    audit_record(
        actor=by,
        action="cases.home_care_override",
        target=case,
        changes={"eligible": [before, eligible], "reason": reason},
    )
    return case


@transaction.atomic
def lab_result_record(
    *,
    by,
    lab: str,
    sample_id: str,
    kind: str,
    positive: bool,
    taken_at: datetime,
    person_data: PersonData,
    commune,
    supervised: bool = True,
    detection: str = DetectionSetting.COMMUNITY,
    source: str = CaseSource.LAB,
) -> tuple[LabResult, bool]:
    """Record one result; the same (lab, sample id) twice records it once. A positive
    result registers (or joins) the person's case; a negative one joins an open case, where
    it may end isolation early (250/QĐ-BYT)."""
    if sample_id:
        # Before anyone is registered: concurrent posts of one sample wait here, and the
        # losers find the winner's result instead of each registering a person.
        key_lock(f"lab-sample:{lab}|{sample_id}")
        existing = (
            LabResult.objects.filter(lab=lab, sample_id=sample_id)
            .select_related("commune", "case")
            .first()
        )
        if existing is not None:
            if not MatchScope.for_caller(by, commune=commune).contains(existing.commune):
                # Recorded by another unit: say so without showing whose it is.
                raise ValidationError({"sample_id": _("Mã mẫu này đã được ghi nhận trước đó.")})
            return existing, False
    person, _created = person_data.register(by=by, commune=commune)
    result = LabResult(
        person=person,
        commune=commune,
        kind=kind,
        positive=positive,
        taken_at=taken_at,
        supervised=supervised,
        lab=lab,
        sample_id=sample_id,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            result.save()
    except IntegrityError:
        # The same sample posted concurrently: the other request recorded it.
        return LabResult.objects.get(lab=lab, sample_id=sample_id), False
    case = open_case_for(person)
    if positive and case is None:
        case, _new = case_register(
            by=by,
            person=person,
            commune=commune,
            evidence=[rules.LabEvidence(kind, True, taken_at, supervised)],
            detection=detection,
            source=source,
        )
    elif positive and case.status == CaseStatus.PENDING:
        evidence = [
            rules.LabEvidence(t.kind, t.positive, t.taken_at, t.supervised)
            for t in case.tests.all()
        ] + [rules.LabEvidence(kind, True, taken_at, supervised)]
        classification = rules.classify_case(
            evidence,
            is_f1=case.is_f1,
            has_symptoms=case.has_symptoms,
            has_epi_link=case.has_epi_link,
        )
        if classification.confirmed:
            case.status, case.basis = CaseStatus.ACTIVE, classification.basis
            case.basis_reason = classification.reason
            case.save(update_fields=["status", "basis", "basis_reason", "updated_at"])
    if case is not None:
        result.case = case
        result.save(update_fields=["case"])
    audit_record(
        actor=by,
        action="cases.lab_result",
        target=result,
        changes={
            "lab": lab,
            "sample_id": sample_id,
            "positive": positive,
            "case": case and case.pk,
        },
    )
    return result, True


@transaction.atomic
def case_self_declare(
    *,
    full_name: str,
    birth_year: int | None,
    phone: str,
    commune,
    address: str = "",
    tested_at: datetime,
    has_symptoms: bool = False,
    is_f1: bool = False,
    photo=None,
) -> Case:
    """A citizen declares a positive self-test: a pending case for the commune station.

    The self-test was not supervised, so 11042 leaves it "to verify" until the station
    confirms it. The caller shows the same answer whatever happens here."""
    case, created = case_register(
        by=None,
        person_data=PersonData(
            full_name=full_name, birth_year=birth_year, phone=phone, address=address
        ),
        commune=commune,
        evidence=[rules.LabEvidence("rat", True, tested_at, supervised=False)],
        is_f1=is_f1,
        has_symptoms=has_symptoms,
        source=CaseSource.SELF,
        record_evidence=True,
        lab="tự test",
    )
    if created and photo is not None:
        case.self_test_photo.save(f"{case.pk}-{secrets.token_hex(8)}.jpg", photo, save=True)
    return case


# --- personal link and checks --------------------------------------------------------------


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
    # No look-up before the insert: the unique (case, submission_key) constraint decides,
    # which saves a round trip on every one of the province's ~400,000 checks a day.
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
    try:
        with transaction.atomic():
            check.save()
    except IntegrityError:
        # Two identical submissions raced; the first one won.
        return CheckOutcome(
            HealthCheck.objects.get(case=case, submission_key=submission_key), None, False
        )

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
    if had_open_alerts or alert is not None:
        _refresh_alert_counters(case)
    # The usual check (no alert before or after) costs one UPDATE of the case here.
    Case.objects.filter(pk=case.pk).update(**updates)
    for field, value in updates.items():
        setattr(case, field, value)
    audit_record(
        actor=by,
        action="cases.check",
        target=case,
        changes={"check": check.pk, "danger": check.danger_signs},
        actor_label="" if staff else F0_LABEL,
    )
    return CheckOutcome(check, alert, True)


def _after_danger_alert(alert_id: int) -> None:
    from .tasks import notify_danger_alert

    alert = Alert.objects.select_related("case").get(pk=alert_id)
    danger_alert_raised.send(sender=Alert, alert=alert, case=alert.case)
    notify_danger_alert.enqueue(alert_id)


# --- alerts --------------------------------------------------------------------------------

_ALERT_MOVES = {
    "acknowledge": ((Alert.Status.OPEN,), Alert.Status.ACKNOWLEDGED),
    "resolve": (Alert.OPEN_STATES, Alert.Status.RESOLVED),
    "escalate": (Alert.OPEN_STATES, Alert.Status.ESCALATED),
}


@transaction.atomic
def alert_move(*, by, alert: Alert, action: str, note: str = "") -> Alert:
    """open → acknowledged → resolved / escalated. A guarded UPDATE, so two care-team
    members pressing at once make one move and the second is told it already happened."""
    if action not in _ALERT_MOVES:
        raise ValueError(action)
    allowed, target = _ALERT_MOVES[action]
    now = timezone.now()
    values = {"status": target, "handled_by": by}
    if target == Alert.Status.ACKNOWLEDGED:
        values["acknowledged_at"] = now
    else:
        values["closed_at"] = now
        values["note"] = note[:500]
    moved = Alert.objects.filter(pk=alert.pk, status__in=allowed).update(**values)
    if not moved:
        raise ValidationError(_("Cảnh báo này đã được người khác xử lý."))
    alert.refresh_from_db()
    _refresh_alert_counters(alert.case)
    audit_record(
        actor=by, action=f"cases.alert_{action}", target=alert.case, changes={"alert": alert.pk}
    )
    return alert


def no_contact_gap() -> timedelta:
    return timedelta(hours=getattr(settings, "CASES_NO_CONTACT_HOURS", 14))


@transaction.atomic
def alerts_scan_no_contact(*, now: datetime | None = None, gap: timedelta | None = None) -> int:
    """Raise a "no contact" alert for every active F0 at home whose last check (or
    registration) is older than the gap and who has no such alert open. Returns how many."""
    now = now or timezone.now()
    cutoff = now - (gap or no_contact_gap())
    already = Alert.objects.filter(kind=Alert.Kind.NO_CONTACT, status__in=Alert.OPEN_STATES).values(
        "case_id"
    )
    silent_ids = list(
        Case.objects.filter(
            status=CaseStatus.ACTIVE,
            treatment_place__in=(TreatmentPlace.HOME, TreatmentPlace.ISOLATION),
        )
        .filter(Q(last_check_at__lt=cutoff) | Q(last_check_at__isnull=True, created_at__lt=cutoff))
        .exclude(pk__in=already)
        .values_list("pk", flat=True)
    )
    if not silent_ids:
        return 0
    reason = _("Không gửi phiếu theo dõi quá %(hours)d giờ") % {
        "hours": int((gap or no_contact_gap()).total_seconds() // 3600)
    }
    for start in range(0, len(silent_ids), 1000):
        chunk = silent_ids[start : start + 1000]
        Alert.objects.bulk_create(
            [Alert(case_id=pk, kind=Alert.Kind.NO_CONTACT, reasons=[reason]) for pk in chunk]
        )
        Case.objects.filter(pk__in=chunk).update(open_alerts=F("open_alerts") + 1)
    audit_record(actor=None, action="cases.no_contact_scan", changes={"alerts": len(silent_ids)})
    return len(silent_ids)


# --- transfers, release, deaths --------------------------------------------------------------

PLACE_FACILITY_KINDS = {
    TreatmentPlace.ISOLATION: (Facility.Kind.ISOLATION_SITE,),
    TreatmentPlace.TIER1: (Facility.Kind.HOSPITAL_TIER1,),
    TreatmentPlace.TIER2: (Facility.Kind.HOSPITAL_TIER2,),
    TreatmentPlace.TIER3: (Facility.Kind.HOSPITAL_TIER3,),
    TreatmentPlace.ICU: (Facility.Kind.HOSPITAL_TIER3, Facility.Kind.HOSPITAL_TIER2),
}
HOSPITAL_PLACES = (TreatmentPlace.TIER1, TreatmentPlace.TIER2, TreatmentPlace.TIER3, "icu")


def _lock_case(case: Case) -> None:
    """Take the case's row lock and re-read it. Two submissions of one action on one case
    (a double click, two staff on the same F0) then run one after the other, and the second
    sees what the first did instead of the state both pages showed: a patient is moved or
    released once and their bed is freed once."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db()


def _free_bed(*, by, case: Case) -> None:
    if case.facility_id:
        facility_occupy(
            by=by, facility=case.facility, delta=-1, icu=case.treatment_place == TreatmentPlace.ICU
        )


@transaction.atomic
def case_transfer(
    *,
    by,
    case: Case,
    to_place: str,
    facility: Facility | None,
    reason: str,
    alert: Alert | None = None,
) -> Transfer:
    """Move the F0 to another treatment place; the facility's beds follow the patient.

    The new bed is taken by `facility_occupy`, whose guarded UPDATE refuses it when the
    facility is full, so racing transfers never fill a bed twice."""
    _lock_case(case)
    if not case.is_open or case.status == CaseStatus.PENDING:
        raise ValidationError(_("Chỉ chuyển được ca bệnh đang điều trị."))
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do chuyển.")})
    if to_place == TreatmentPlace.HOME:
        facility = None
    else:
        if facility is None or facility.kind not in PLACE_FACILITY_KINDS[to_place]:
            raise ValidationError({"facility": _("Cơ sở không phù hợp với nơi điều trị.")})
    if to_place == case.treatment_place and getattr(facility, "pk", None) == case.facility_id:
        raise ValidationError(_("Người bệnh đang điều trị tại nơi này rồi."))
    transfer = Transfer.objects.create(
        case=case,
        from_place=case.treatment_place,
        to_place=to_place,
        facility=facility,
        reason=reason.strip(),
        alert=alert,
        by=by,
    )
    _free_bed(by=by, case=case)
    if facility is not None:
        facility_occupy(by=by, facility=facility, delta=1, icu=to_place == TreatmentPlace.ICU)
    case.treatment_place, case.facility = to_place, facility
    case.status = CaseStatus.TRANSFERRED if to_place in HOSPITAL_PLACES else CaseStatus.ACTIVE
    if to_place == TreatmentPlace.ICU:
        case.severity = SeverityLevel.CRITICAL
    case.save()
    if alert is not None and alert.is_open:
        Alert.objects.filter(pk=alert.pk).update(
            status=Alert.Status.ESCALATED, closed_at=timezone.now(), handled_by=by, note=reason
        )
        _refresh_alert_counters(case)
    audit_record(
        actor=by,
        action="cases.transfer",
        target=case,
        changes={
            "from": transfer.from_place,
            "to": to_place,
            "facility": facility.pk if facility else None,
        },
    )
    return transfer


def release_for(case: Case, *, extra_negative: date | None = None) -> rules.Release:
    negatives = list(
        case.tests.filter(kind=LabResult.Kind.RAT, positive=False).values_list(
            "taken_at", flat=True
        )
    )
    dates = [timezone.localtime(at).date() for at in negatives]
    if extra_negative:
        dates.append(extra_negative)
    return rules.release_date(
        isolation_start=case.isolation_start,
        fully_vaccinated=case.fully_vaccinated,
        negative_rat_dates=dates,
        thresholds=thresholds(),
    )


@transaction.atomic
def case_release(*, by, case: Case, negative_rat_on: date | None = None) -> Case:
    """End isolation (250/QĐ-BYT) and issue the recovery certificate's public code."""
    _lock_case(case)
    if case.status not in (CaseStatus.ACTIVE, CaseStatus.TRANSFERRED):
        raise ValidationError(_("Chỉ cấp giấy khỏi bệnh cho ca đang điều trị."))
    today = _today()
    if negative_rat_on is not None:
        if negative_rat_on > today:
            raise ValidationError({"negative_rat_on": _("Ngày xét nghiệm không thể ở tương lai.")})
        LabResult.objects.create(
            person=case.person,
            case=case,
            commune=case.commune,
            kind=LabResult.Kind.RAT,
            positive=False,
            taken_at=timezone.make_aware(datetime.combine(negative_rat_on, datetime.min.time())),
            created_by=by,
            lab=_("Trạm y tế"),
        )
    release = release_for(case)
    if release.on > today:
        raise ValidationError(
            _("Chưa đủ điều kiện kết thúc cách ly: dự kiến ngày %(day)s (%(basis)s).")
            % {"day": release.on.strftime("%d/%m/%Y"), "basis": release.basis}
        )
    _free_bed(by=by, case=case)
    case.status = CaseStatus.RECOVERED
    case.released_on = today
    case.isolation_end = release.on
    # 128 bits: the public verification URL cannot be guessed or enumerated.
    case.certificate_code = secrets.token_urlsafe(16)
    case.save()
    CaseLink.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _close_open_alerts(by=by, case=case, note=_("Đã khỏi bệnh"))
    audit_record(
        actor=by,
        action="cases.release",
        target=case,
        changes={"isolation_end": release.on.isoformat(), "basis": release.basis},
    )
    return case


@transaction.atomic
def case_death_record(
    *, by, case: Case, died_on: date, place: str, cause: str, pcr_confirmed: bool
) -> Death:
    _lock_case(case)
    if not case.is_open:
        raise ValidationError(_("Ca bệnh đã kết thúc."))
    if died_on > _today() or died_on < case.diagnosed_on - timedelta(days=30):
        raise ValidationError({"died_on": _("Ngày mất không hợp lệ.")})
    death = Death.objects.create(
        case=case,
        died_on=died_on,
        place=place,
        cause=cause,
        pcr_confirmed=pcr_confirmed,
        recorded_by=by,
    )
    _free_bed(by=by, case=case)
    case.status = CaseStatus.DIED
    case.isolation_end = died_on
    case.save()
    CaseLink.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _close_open_alerts(by=by, case=case, note=_("Tử vong"))
    audit_record(
        actor=by,
        action="cases.death",
        target=case,
        changes={"died_on": died_on.isoformat(), "pcr_confirmed": pcr_confirmed},
    )
    return death


@transaction.atomic
def death_dossier_advance(*, by, death: Death, status: str) -> Death:
    """Move the support dossier forward one step at a time (collected → sent → paid)."""
    order = Death.DOSSIER_ORDER
    if status not in order or order.index(status) != order.index(death.dossier_status) + 1:
        raise ValidationError(_("Chỉ chuyển hồ sơ sang bước kế tiếp."))
    before = death.dossier_status
    death.dossier_status = status
    death.save(update_fields=["dossier_status", "dossier_updated_at"])
    audit_record(
        actor=by, action="cases.dossier", target=death.case, changes={"dossier": [before, status]}
    )
    return death


@idempotency.submitted_once(MedicineBag)
@transaction.atomic
def medicine_bag_record(
    *,
    by,
    case: Case,
    kind: str,
    handed_on: date,
    note: str = "",
    submission: idempotency.Submission | None = None,
):
    """Record a bag handed over; the same submission sent twice (a double click on the
    case page) is one bag."""
    bag = MedicineBag.objects.create(
        case=case,
        kind=kind,
        handed_on=handed_on,
        note=note,
        by=by,
        **idempotency.fields(submission),
    )
    audit_record(actor=by, action="cases.medicine_bag", target=case, changes={"kind": kind})
    return bag


@idempotency.submitted_once(MobileStationVisit)
@transaction.atomic
def mobile_visit_record(
    *,
    by,
    case: Case,
    visited_on: date,
    station=None,
    note: str = "",
    submission: idempotency.Submission | None = None,
):
    """Record a mobile station's visit; the same submission sent twice is one visit."""
    visit = MobileStationVisit.objects.create(
        case=case,
        visited_on=visited_on,
        station=station,
        note=note,
        by=by,
        **idempotency.fields(submission),
    )
    audit_record(actor=by, action="cases.mobile_visit", target=case)
    return visit


# --- daily announcement ----------------------------------------------------------------------


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
