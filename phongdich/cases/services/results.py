"""Lab results reaching the F0 app: from a lab system (API), a file import or the labtests
app's samples. Every result is a `labtests.Sample` (issue 14: one place for every test);
this module records the ones that arrive here and applies any result to the person's case
(11042 classification, the negatives 250/QĐ-BYT counts for release)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.labtests.models import Sample
from phongdich.labtests.rules import POSITIVE
from phongdich.lib.locks import key_lock
from phongdich.people.services import MatchScope

from .. import rules
from ..models import CaseSource, CaseStatus, DetectionSetting
from ._samples import case_evidence, result_sample_create
from .registration import PersonData, _quarantine_convert, case_register, open_case_for


def _by_lab_id(lab: str, sample_id: str):
    # A lab's id is its own (lab_sample_id) or the tube code the labtests app knows it by.
    return (
        Sample.objects.filter(lab=lab, lab_sample_id=sample_id)
        .select_related("commune", "case")
        .first()
        or Sample.objects.filter(lab=lab, barcode=sample_id, lab_sample_id="")
        .exclude(result="")
        .select_related("commune", "case")
        .first()
    )


@transaction.atomic
def lab_result_record(
    *,
    by,
    lab: str,
    sample_id: str,
    kind: str,
    positive: bool,
    taken_at: datetime,
    person_data: PersonData | None = None,
    commune,
    supervised: bool = True,
    detection: str = DetectionSetting.COMMUNITY,
    source: str = CaseSource.LAB,
    person=None,
) -> tuple[Sample, bool]:
    """Record one result; the same (lab, sample id) twice records it once. A positive
    result registers (or joins) the person's case; a negative one joins an open case, where
    it may end isolation early (250/QĐ-BYT). Returns (the resulted sample, created)."""
    if sample_id:
        # Before anyone is registered: concurrent posts of one sample wait here, and the
        # losers find the winner's result instead of each registering a person.
        key_lock(f"lab-sample:{lab}|{sample_id}")
        existing = _by_lab_id(lab, sample_id)
        if existing is not None:
            if not MatchScope.for_caller(by, commune=commune).contains(existing.commune):
                # Recorded by another unit: say so without showing whose it is.
                raise ValidationError({"sample_id": _("Mã mẫu này đã được ghi nhận trước đó.")})
            return existing, False
    if person is None:
        person, _created = person_data.register(by=by, commune=commune)
    try:
        sample = result_sample_create(
            by=by,
            person=person,
            commune=commune,
            kind=kind,
            positive=positive,
            taken_at=taken_at,
            supervised=supervised,
            lab=lab,
            sample_id=sample_id,
        )
    except IntegrityError:
        # The same sample posted concurrently: the other request recorded it.
        return Sample.objects.get(lab=lab, lab_sample_id=sample_id), False
    case_result_apply(by=by, sample=sample, commune=commune, detection=detection, source=source)
    return sample, True


def case_result_apply(
    *,
    by,
    sample: Sample,
    commune,
    detection: str = DetectionSetting.COMMUNITY,
    source: str = CaseSource.LAB,
):
    """Apply a resulted sample to its person's case: a positive registers an F0 (or confirms
    a pending one by 11042), a negative joins the open case. Returns the case or None."""
    positive = sample.result == POSITIVE
    evidence = rules.LabEvidence(sample.kind, positive, sample.taken_at, sample.supervised)
    case = open_case_for(sample.person)
    if positive and case is None:
        case, _new = case_register(
            by=by,
            person=sample.person,
            commune=commune,
            evidence=[evidence],
            detection=detection,
            source=source,
        )
    elif positive and case.status == CaseStatus.PENDING:
        classification = rules.classify_case(
            [*case_evidence(case), evidence],
            is_f1=case.is_f1,
            has_symptoms=case.has_symptoms,
            has_epi_link=case.has_epi_link,
        )
        if classification.confirmed:
            case.status, case.basis = CaseStatus.ACTIVE, classification.basis
            case.basis_reason = classification.reason
            case.save(update_fields=["status", "basis", "basis_reason", "updated_at"])
            _quarantine_convert(by=by, case=case)
    if case is not None:
        sample.case = case
        sample.save(update_fields=["case"])
    audit_record(
        actor=by,
        action="cases.lab_result",
        target=sample,
        changes={
            "lab": sample.lab,
            "sample_id": sample.lab_sample_id or sample.barcode,
            "positive": positive,
            "case": case and case.pk,
        },
    )
    return case
