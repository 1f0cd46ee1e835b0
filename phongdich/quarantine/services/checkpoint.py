"""Returnees handed over at a checkpoint: the hand-over opens the person's quarantine record
here directly (issue 13: one record for everyone), and the home quarantine's papers (the
signed commitment, the door sign posted) are marked on it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from ..models import Basis, Quarantine
from .opening import quarantine_open

PAPERS = {"commitment": "commitment_signed_at", "door_sign": "door_sign_posted_at"}


@transaction.atomic
def quarantine_from_handover(
    *, by, handover, on: date | None = None, policy_key: str = ""
) -> tuple[Quarantine, bool]:
    """Open the returnee's quarantine from an arrived hand-over, by the dated row in force on
    the arrival day (or the row staff named) and what they declared at the checkpoint
    (doses, recovery) where the vaccination register has nothing. A person already in
    quarantine (a traced F1, say) keeps that record, extended if this plan ends later.
    Returns (quarantine, created)."""
    from phongdich.checkpoints.models import Handover

    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    if handover.status != Handover.Status.ARRIVED:
        raise ValidationError(_("Cần xác nhận người đã đến trước khi bắt đầu cách ly."))
    if Quarantine.objects.filter(handover_id=handover.pk).exists():
        raise ValidationError(_("Người này đã được lập hồ sơ cách ly."))
    declaration = handover.passage.declaration
    on = on or timezone.localdate()
    return quarantine_open(
        by=by,
        person=handover.person,
        basis=Basis.RETURNEE,
        start=on,
        exposure_date=on,
        commune=handover.commune,
        address=declaration.destination_address,
        doses=declaration.vaccine_doses,
        recovered_on=declaration.recovered_on,
        handover_id=handover.pk,
        policy_key=policy_key,
        monitoring_only=True,
    )


@transaction.atomic
def quarantine_mark(*, by, quarantine: Quarantine, what: str) -> Quarantine:
    """Record that the commitment was signed or the door sign posted (once)."""
    field = PAPERS.get(what)
    if field is None:
        raise ValidationError(_("Việc này không có trong danh mục."))
    updated = Quarantine.objects.filter(pk=quarantine.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )
    quarantine.refresh_from_db()
    if updated:
        audit_record(actor=by, action=f"quarantine.{what}", target=quarantine)
    return quarantine
