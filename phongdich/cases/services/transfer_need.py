"""A transfer to do: an F0 who must leave home care is listed in the queue's "Cần chuyển
tuyến" section, with the reason, until a transfer is recorded or someone overrides the need
with a reason (audited). Raised by an escalated danger alert, by a finding of ineligibility
for home care, or by a severity of "nặng" or worse while the F0 is at home or in an F0
isolation site.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from ..models import Case, CaseStatus, SeverityLevel, TransferNeed, TreatmentPlace

SEVERE_LEVELS = (SeverityLevel.SEVERE, SeverityLevel.CRITICAL)
# Places an F0 with a severe course must be moved up from (to a hospital tier).
NOT_A_HOSPITAL = (TreatmentPlace.HOME, TreatmentPlace.ISOLATION)


def finding(case: Case) -> str:
    """What the case's own record says about needing a transfer (not counting alerts)."""
    if not case.is_open or case.status == CaseStatus.PENDING:
        return TransferNeed.NONE
    if case.severity in SEVERE_LEVELS and case.treatment_place in NOT_A_HOSPITAL:
        return TransferNeed.SEVERE
    if not case.home_care_eligible and case.treatment_place == TreatmentPlace.HOME:
        return TransferNeed.INELIGIBLE
    return TransferNeed.NONE


def _set(case: Case, need: str, note: str = "") -> None:
    case.transfer_need = need
    case.transfer_need_since = timezone.now() if need else None
    case.transfer_need_note = note[:255]
    Case.objects.filter(pk=case.pk).update(
        transfer_need=case.transfer_need,
        transfer_need_since=case.transfer_need_since,
        transfer_need_note=case.transfer_need_note,
        transfer_waived=case.transfer_waived,
    )


def transfer_need_sync(*, by, case: Case) -> str:
    """Raise or clear the need from the record after any write that may change it. An
    explicit need (an escalated alert) stays until a transfer or an override; a finding the
    staff already overrode is not raised again for the same reason."""
    found = finding(case)
    current = case.transfer_need
    if current == TransferNeed.ALERT and case.treatment_place in NOT_A_HOSPITAL and case.is_open:
        return current
    if found and found != current and found != case.transfer_waived:
        _set(case, found)
        audit_record(
            actor=by, action="cases.transfer_needed", target=case, changes={"reason": found}
        )
    elif not found and current:
        _set(case, TransferNeed.NONE)
    return case.transfer_need


def transfer_need_raise(*, by, case: Case, need: str, note: str = "") -> None:
    """An explicit need (a danger alert escalated by the care team)."""
    case.transfer_waived = TransferNeed.NONE
    _set(case, need, note)
    audit_record(actor=by, action="cases.transfer_needed", target=case, changes={"reason": need})


def transfer_need_done(case: Case) -> None:
    """A transfer was recorded: the need is met."""
    if case.transfer_need or case.transfer_waived:
        case.transfer_waived = TransferNeed.NONE
        _set(case, TransferNeed.NONE)


@transaction.atomic
def case_transfer_override(*, by, case: Case, reason: str) -> Case:
    """Keep the F0 where they are, with the reason (family refuses, doctor's decision…);
    audited. Two staff overriding at once: the row lock makes the second see it done."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do không chuyển tuyến.")})
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db()
    if not case.transfer_need:
        raise ValidationError(_("Ca bệnh này không còn trong danh sách cần chuyển tuyến."))
    before = case.transfer_need
    case.transfer_waived = before
    _set(case, TransferNeed.NONE)
    audit_record(
        actor=by,
        action="cases.transfer_override",
        target=case,
        changes={"reason_code": before, "reason": reason},
    )
    return case
