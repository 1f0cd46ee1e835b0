"""Matches outside the caller's jurisdiction: the referral to the record's own unit, and
that unit's judgement (the same human, merged; or not, dismissed)."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit

from ..models import MatchReferral, Person
from .merge import person_merge

logger = logging.getLogger(__name__)


def _refer(*, by, existing: Person, new_person: Person, reason: str, owner_unit, commune) -> None:
    """Record that `new_person` may be `existing`, for the unit holding `existing` to judge."""
    if owner_unit is None and commune is not None:
        # No commune holds the record: the province of the registering commune does.
        owner_unit = AdminUnit.objects.filter(
            path=("/" + commune.path.strip("/").split("/")[0] + "/")
        ).first()
    referral, created = MatchReferral.objects.get_or_create(
        existing=existing,
        new_person=new_person,
        defaults={
            "reason": reason,
            "owner_unit": owner_unit,
            "requesting_unit": commune,
            "requested_by": by if getattr(by, "is_authenticated", False) else None,
        },
    )
    if created:
        audit_record(
            actor=by,
            action="person.referral",
            target=referral,
            changes={"existing": existing.pk, "new": new_person.pk, "reason": reason},
        )
        referral_id = referral.pk
        transaction.on_commit(lambda: _notify_referral(referral_id))


def _notify_referral(referral_id: int) -> None:
    from ..tasks import notify_referral

    try:
        notify_referral.enqueue(referral_id)
    except Exception:  # a queue hiccup must not undo a registration already committed
        logger.exception("could not enqueue the referral notice %s", referral_id)


@transaction.atomic
def referral_resolve(*, by, referral: MatchReferral, same_person: bool) -> MatchReferral:
    """The owner of the existing record judges a referral: the same human (merge the new
    record into theirs) or not (dismiss). A guarded update, so two judges make one move."""
    moved = MatchReferral.objects.filter(pk=referral.pk, status=MatchReferral.Status.OPEN).update(
        status=MatchReferral.Status.MERGED if same_person else MatchReferral.Status.DISMISSED,
        resolved_at=timezone.now(),
        resolved_by=by,
    )
    if not moved:
        raise ValidationError(_("Yêu cầu này đã được xử lý."))
    if same_person:
        person_merge(by=by, keep=referral.existing, duplicate=referral.new_person)
    referral.refresh_from_db()
    audit_record(
        actor=by,
        action="person.referral_resolve",
        target=referral,
        changes={"status": referral.status},
    )
    return referral
