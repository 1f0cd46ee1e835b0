"""Hand-over to the destination commune; the home quarantine it starts is the quarantine
app's record."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record

from ..models import Handover

# --- hand-over ----------------------------------------------------------------------------


def _claim_pending(handover: Handover, **changes) -> None:
    # Guarded update: two workers pressing at once cannot both change a pending hand-over.
    updated = Handover.objects.filter(pk=handover.pk, status=Handover.Status.PENDING).update(
        **changes
    )
    if not updated:
        raise ValidationError(_("Việc bàn giao này đã được xử lý."))
    for key, value in changes.items():
        setattr(handover, key, value)


@transaction.atomic
def handover_confirm(*, by, handover: Handover) -> Handover:
    _claim_pending(
        handover, status=Handover.Status.ARRIVED, confirmed_by=by, confirmed_at=timezone.now()
    )
    audit_record(actor=by, action="checkpoints.handover_arrived", target=handover)
    return handover


@transaction.atomic
def handover_no_show(*, by, handover: Handover) -> Handover:
    _claim_pending(
        handover, status=Handover.Status.NO_SHOW, confirmed_by=by, confirmed_at=timezone.now()
    )
    audit_record(actor=by, action="checkpoints.handover_no_show", target=handover)
    from ..tasks import notify_no_show

    transaction.on_commit(lambda: notify_no_show.enqueue(handover.pk))
    return handover


def no_show_send_alert(handover_id: int) -> int:
    """Email the district's health officers about a hand-over that did not arrive."""
    handover = Handover.objects.select_related(
        "commune__parent", "person", "passage__checkpoint"
    ).get(pk=handover_id)
    district = handover.commune.parent
    recipients = list(
        get_user_model()
        .objects.filter(role=Role.HEALTH_OFFICER, is_active=True, jurisdiction=district)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    subject = _("Người được bàn giao không đến: %(commune)s") % {"commune": handover.commune.name}
    body = _(
        "%(name)s, bàn giao từ %(checkpoint)s về %(commune)s, dự kiến đến %(expected)s, "
        "đã được xã báo không đến. Đề nghị phối hợp xác minh."
    ) % {
        "name": handover.person.full_name,
        "checkpoint": handover.passage.checkpoint.name,
        "commune": handover.commune.label(),
        "expected": timezone.localtime(handover.expected_at).strftime("%H:%M %d/%m/%Y"),
    }
    return send_mail(subject, body, None, recipients)


def quarantine_start(
    *,
    by,
    handover: Handover,
    on: date | None = None,
    policy_key: str = "",
):
    """Start the arrived returnee's quarantine: the hand-over opens the one quarantine record
    (`quarantine.services`, issue 13), which has the daily checks, the personal link, the
    papers and the release; checkpoints keeps no home quarantine of its own any more.
    Returns the `quarantine.Quarantine`."""
    from phongdich.quarantine.services import quarantine_from_handover

    quarantine, _created = quarantine_from_handover(
        by=by, handover=handover, on=on, policy_key=policy_key
    )
    return quarantine
