"""The F0 app's results live in the labtests app (`labtests.Sample`, issue 14: one place for
every test). These helpers write and read them for the cases app: a result recorded here is
a sample that is already resulted, linked to its case."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.labtests.models import Result, Sample
from phongdich.labtests.rules import NEGATIVE, POSITIVE, RAT

from .. import rules

# Generated tube codes of results that came without one that fits (`KQ-` + 16 hex digits):
# a lab's own id may be empty, longer than a tube code (60 against 40 characters) or a
# code another lab already used.
GENERATED_PREFIX = "KQ-"


def generated_barcode() -> str:
    return GENERATED_PREFIX + secrets.token_hex(8)


def barcode_for(sample_id: str) -> str:
    """The lab's id as the tube's code when it fits and is free (so a later labtests import
    or API post of that code finds the same sample), else a generated one."""
    max_length = Sample._meta.get_field("barcode").max_length
    if sample_id and len(sample_id) <= max_length:
        if not Sample.objects.filter(barcode=sample_id).exists():
            return sample_id
    return generated_barcode()


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def result_sample_create(
    *,
    by,
    person,
    commune,
    kind: str,
    positive: bool,
    taken_at,
    supervised: bool = True,
    lab: str = "",
    sample_id: str = "",
    case=None,
) -> Sample:
    """A resulted sample for a result the F0 app received (lab API, import, the evidence of
    a registration, the station's rapid test at release). Raises IntegrityError when the
    lab already sent this id (the caller says so in its own words)."""
    user = _user(by)
    now = timezone.now()
    sample = Sample(
        person=person,
        commune=commune,
        kind=kind,
        reason=Sample.Reason.REPORTED,
        taken_at=taken_at,
        taken_by=user,
        status=Sample.Status.RESULTED,
        result=Result.POSITIVE if positive else Result.NEGATIVE,
        lab=lab,
        lab_sample_id=sample_id,
        resulted_at=now,
        resulted_by=user,
        supervised=supervised,
        case=case,
    )
    for attempt in range(2):
        sample.barcode = barcode_for(sample_id) if attempt == 0 else generated_barcode()
        try:
            with transaction.atomic():
                sample.save()
            return sample
        except IntegrityError:
            if sample_id and Sample.objects.filter(lab=lab, lab_sample_id=sample_id).exists():
                raise
            # Another request took the same free code in between: a generated one then.
            sample.pk = None
    raise IntegrityError("no free sample code")


def results_of(case):
    """The case's results that 11042 counts (an invalid result is no evidence)."""
    return case.samples.filter(result__in=[POSITIVE, NEGATIVE])


def case_evidence(case) -> list[rules.LabEvidence]:
    return [
        rules.LabEvidence(kind, result == POSITIVE, taken_at, supervised)
        for kind, result, taken_at, supervised in results_of(case).values_list(
            "kind", "result", "taken_at", "supervised"
        )
    ]


def negative_rat_times(case) -> list:
    return list(case.samples.filter(kind=RAT, result=NEGATIVE).values_list("taken_at", flat=True))


def rat_mark_supervised(case) -> None:
    case.samples.filter(kind=RAT).update(supervised=True)
