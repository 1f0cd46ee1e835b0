"""Registering an F0: the person through the matching, verification against the Ministry's
evidence rules, the home-care override and citizens' self-declarations (lab results are in
`results`).
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.facilities.models import Facility
from phongdich.facilities.services import facility_occupy
from phongdich.people.models import Person
from phongdich.people.services import person_register

from .. import rules
from ..models import (
    OPEN_STATUSES,
    Case,
    CaseSource,
    CaseStatus,
    DetectionSetting,
    OccupationGroup,
    TreatmentPlace,
    Vaccination,
)
from ._common import (
    F0_LABEL,
    HOSPITAL_PLACES,
    PLACE_FACILITY_KINDS,
    _age_months,
    _risk_score,
    _today,
    thresholds,
)
from ._samples import case_evidence, rat_mark_supervised, result_sample_create
from .transfer_need import transfer_need_sync


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


def _active_quarantine(person):
    """The person's active quarantine record, when the quarantine app is installed."""
    if not apps.is_installed("phongdich.quarantine"):
        return None
    from phongdich.quarantine.services import active_for

    return active_for(person)


def _quarantine_convert(*, by, case: Case) -> None:
    # A confirmed case ends the person's quarantine as "converted to F0" (issue 13); a
    # pending one leaves it running until it is confirmed.
    if case.status == CaseStatus.PENDING or not apps.is_installed("phongdich.quarantine"):
        return
    from phongdich.quarantine.services import quarantine_convert

    quarantine_convert(by=by, person=case.person, case=case)


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
    quarantine = _active_quarantine(person)
    if quarantine is not None:
        # Found while quarantined: the announcement counts it "in quarantine", not as a
        # community case (4800/QĐ-BYT), and a quarantined F1 is an F1 for 11042.
        detection = DetectionSetting.QUARANTINE
        is_f1 = is_f1 or quarantine.basis == "f1"

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
        facility_occupy(by=by, facility=facility, delta=1, icu=treatment_place == "icu", case=case)
    if record_evidence:
        _record_evidence(by=by, case=case, evidence=evidence, lab=lab, sample_id=sample_id)
    transfer_need_sync(by=by, case=case)
    _quarantine_convert(by=by, case=case)
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
        try:
            result_sample_create(
                by=by,
                person=case.person,
                commune=case.commune,
                kind=item.kind,
                positive=item.positive,
                taken_at=item.taken_at,
                supervised=item.supervised,
                lab=lab,
                sample_id=sample_id if index == 0 else "",
                case=case,
            )
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
        rules.LabEvidence(e.kind, e.positive, e.taken_at, supervised=e.supervised or rat_supervised)
        for e in case_evidence(case)
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
        rat_mark_supervised(case)
    case.is_f1, case.has_symptoms, case.has_epi_link = is_f1, has_symptoms, has_epi_link
    case.basis, case.basis_reason = classification.basis, classification.reason
    case.status = CaseStatus.ACTIVE
    case.save()
    transfer_need_sync(by=by, case=case)
    _quarantine_convert(by=by, case=case)
    audit_record(actor=by, action="cases.verify", target=case, changes={"basis": case.basis})
    return case


@transaction.atomic
def case_home_care_override(*, by, case: Case, eligible: bool, reason: str) -> Case:
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do khi điều chỉnh.")})
    before = case.home_care_eligible
    case.home_care_eligible, case.home_care_override = eligible, reason.strip()
    case.save(update_fields=["home_care_eligible", "home_care_override", "updated_at"])
    transfer_need_sync(by=by, case=case)
    audit_record(
        actor=by,
        action="cases.home_care_override",
        target=case,
        changes={"eligible": [before, eligible], "reason": reason},
    )
    return case


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
