"""Passages: the officer's decision at the checkpoint, recorded once per idempotency key."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_event
from phongdich.facilities.services import facility_occupy
from phongdich.lib.query import Update, insert_unless_taken, write_together
from phongdich.lib.text import nfc

from .. import rules
from ..models import (
    Checkpoint,
    Declaration,
    Direction,
    Handover,
    Passage,
    ReturneeForecast,
    TransitEscort,
)
from .assessment import assess

# --- passages -------------------------------------------------------------------------------


@transaction.atomic
def passage_record(
    *,
    by,
    declaration: Declaration,
    checkpoint: Checkpoint,
    decision: str,
    idempotency_key: str,
    temperature=None,
    note: str = "",
    facility=None,
    expected_at: datetime | None = None,
    exit_checkpoint: Checkpoint | None = None,
    transit_hours: float = 4,
    replay_checked: bool = False,
    direction: str = "in",
) -> tuple[Passage, bool]:
    """Record the officer's decision once per idempotency key: (passage, created).

    A browser retrying after a dropped connection sends the same key and gets the passage
    already recorded back, never a second one (the key is UNIQUE in the database, so two
    racing retries cannot both insert).
    """
    key = (idempotency_key or "").strip()
    if not 8 <= len(key) <= 64:
        raise ValidationError({"idempotency_key": _("Thiếu mã chống trùng.")})
    # `replay_checked`: the caller has just looked the key up (the API reads it with the
    # checkpoint); a key seen since is caught by the UNIQUE index below all the same.
    existing = None if replay_checked else Passage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    if decision not in rules.DECISIONS:
        raise ValidationError({"decision": _("Quyết định không hợp lệ.")})
    if direction not in Direction.values:
        raise ValidationError({"direction": _("Chiều qua chốt không hợp lệ.")})
    if decision == rules.HANDOVER and declaration.destination_commune_id is None:
        raise ValidationError({"decision": _("Không có xã nơi đến trong tỉnh để bàn giao.")})
    if decision == rules.TRANSIT and exit_checkpoint is None:
        raise ValidationError({"exit_checkpoint": _("Chọn chốt ra khỏi tỉnh.")})
    site = facility if decision == rules.CENTRALISED else None
    temp = float(temperature) if temperature not in (None, "") else None
    assessment = assess(declaration, temperature=temp)
    now = timezone.now()
    passage = Passage(
        declaration=declaration,
        checkpoint=checkpoint,
        officer=by,
        at=now,
        temperature=temperature if temperature not in (None, "") else None,
        decision=decision,
        suggested_decision=assessment.suggestion.decision,
        suggestion_rule=assessment.suggestion.rule.key,
        facility=site,
        note=nfc(note)[:300],
        direction=direction,
        idempotency_key=key,
    )
    # ON CONFLICT DO NOTHING instead of a savepoint around save(): two statements fewer on
    # every scan, and the same answer when the same key raced us in another request.
    if not insert_unless_taken(passage, unique_fields=("idempotency_key",)):
        return Passage.objects.get(idempotency_key=key), False
    # Written after the branch below, in one statement with the audit event (issue 17).
    rows = [
        Update(
            ReturneeForecast.objects.filter(
                matched_declaration=declaration, matched_passage__isnull=True
            ),
            matched_passage=passage,
        )
    ]
    if decision == rules.HANDOVER:
        rows.append(
            Handover(
                # The id, not the instance: assigning a one-to-one would leave the unsaved
                # hand-over (no pk: write_together returns none) in passage.handover.
                passage_id=passage.pk,
                person_id=declaration.person_id,
                commune_id=declaration.destination_commune_id,
                expected_at=expected_at or now + timedelta(hours=3),
            )
        )
    elif site is not None:
        # Takes the place or refuses when the site is full (one guarded UPDATE, so officers
        # at two gates cannot both fill the last place); a refusal rolls the passage back.
        # The message is not tied to a form field: the site is picked outside the form.
        facility_occupy(by=by, facility=site, delta=1)
    elif decision == rules.TRANSIT:
        TransitEscort.objects.create(
            passage=passage,
            vehicle_number=declaration.vehicle_number or "?",
            entry_checkpoint=checkpoint,
            exit_checkpoint=exit_checkpoint,
            entered_at=now,
            due_by=now + timedelta(hours=transit_hours),
            created_by=by,
        )
    rows.append(
        audit_event(
            actor=by,
            action="checkpoints.passage",
            target=passage,
            changes={
                "declaration": declaration.pk,
                "decision": decision,
                "suggested": assessment.suggestion.decision,
            },
        )
    )
    write_together(*rows)
    return passage, True
