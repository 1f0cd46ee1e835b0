"""Transit escorts through the province and the overdue scan."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record
from phongdich.lib import idempotency

from ..models import (
    TransitEscort,
)

# --- transit --------------------------------------------------------------------------------


@idempotency.submitted_once(TransitEscort)
@transaction.atomic
def transit_start(
    *,
    by,
    vehicle_number: str,
    people_count: int,
    entry_checkpoint,
    exit_checkpoint,
    hours: float,
    submission: idempotency.Submission | None = None,
) -> TransitEscort:
    """A vehicle entered at one gate and must leave by another within `hours`."""
    now = timezone.now()
    escort = TransitEscort.objects.create(
        vehicle_number=vehicle_number.strip().upper(),
        people_count=people_count,
        entry_checkpoint=entry_checkpoint,
        exit_checkpoint=exit_checkpoint,
        entered_at=now,
        due_by=now + timedelta(hours=hours),
        created_by=by,
        **idempotency.fields(submission),
    )
    audit_record(actor=by, action="checkpoints.transit_create", target=escort)
    return escort


@transaction.atomic
def transit_exit(*, by, escort: TransitEscort) -> TransitEscort:
    if TransitEscort.objects.filter(pk=escort.pk, exited_at__isnull=True).update(
        exited_at=timezone.now()
    ):
        escort.refresh_from_db()
        audit_record(actor=by, action="checkpoints.transit_exit", target=escort)
    return escort


def transit_scan_overdue(now: datetime | None = None) -> list[TransitEscort]:
    """Claim escorts past due and not exited, once each; alert the province officers."""
    now = now or timezone.now()
    alerted = []
    for escort in TransitEscort.objects.filter(
        exited_at__isnull=True, due_by__lt=now, overdue_alerted_at__isnull=True
    ).select_related("entry_checkpoint", "exit_checkpoint"):
        with transaction.atomic():
            claimed = TransitEscort.objects.filter(
                pk=escort.pk, overdue_alerted_at__isnull=True
            ).update(overdue_alerted_at=now)
            if not claimed:
                continue
            audit_record(actor=None, action="checkpoints.transit_overdue", target=escort)
        alerted.append(escort)
    if alerted:
        recipients = list(
            get_user_model()
            .objects.filter(
                role__in=[Role.CHECKPOINT_OFFICER, Role.HEALTH_OFFICER],
                is_active=True,
                jurisdiction__kind="province",
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            lines = [
                f"{e.vehicle_number}: {e.entry_checkpoint.name} → {e.exit_checkpoint.name}, "
                f"{timezone.localtime(e.due_by):%H:%M %d/%m/%Y}"
                for e in alerted
            ]
            send_mail(
                _("Xe đi qua tỉnh quá giờ chưa ra khỏi tỉnh"), "\n".join(lines), None, recipients
            )
    return alerted
