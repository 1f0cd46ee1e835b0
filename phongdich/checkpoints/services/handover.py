"""Hand-over to the destination commune and home quarantine."""

from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.text import nfc

from .. import rules
from ..models import (
    Handover,
    HomeQuarantine,
    QuarantineCheck,
    QuarantineLink,
)
from .assessment import quarantine_policies
from .common import CITIZEN, SYMPTOMS

# --- hand-over and home quarantine ---------------------------------------------------------


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


@transaction.atomic
def quarantine_start(
    *,
    by,
    handover: Handover,
    on: date | None = None,
    last_exposure: date | None = None,
    policy_key: str = "",
) -> HomeQuarantine:
    if handover.status != Handover.Status.ARRIVED:
        raise ValidationError(_("Cần xác nhận người đã đến trước khi bắt đầu cách ly."))
    if HomeQuarantine.objects.filter(handover=handover).exists():
        raise ValidationError(_("Người này đã được lập hồ sơ cách ly."))
    on = on or timezone.localdate()
    declaration = handover.passage.declaration
    # Staff may apply a named row (a province keeping a stricter rule, or training on the
    # 2021-2022 rules); by default the row in force on the start day applies.
    policies = quarantine_policies()
    chosen = rules.policy_by_key(policy_key, policies) if policy_key else None
    if policy_key and chosen is None:
        raise ValidationError(_("Quy định không tồn tại."))
    plan = rules.quarantine_plan(
        on=on,
        doses=declaration.vaccine_doses,
        recovered_on=declaration.recovered_on,
        last_exposure=last_exposure,
        policies=(chosen,) if chosen else policies,
    )
    if plan is None:
        in_force = rules.policy_on(on, (chosen,) if chosen else policies)
        if in_force is not None:  # the province's edited row has no group for this person
            raise ValidationError(
                _(
                    "Quy định cách ly “%(rule)s” không có nhóm áp dụng cho người này; "
                    "đề nghị quản trị hệ thống bổ sung."
                )
                % {"rule": in_force.source}
            )
        raise ValidationError(_("Chưa có quy định cách ly cho ngày này."))
    quarantine = HomeQuarantine.objects.create(
        person=handover.person,
        commune=handover.commune,
        handover=handover,
        address=declaration.destination_address,
        policy_key=plan.policy.key,
        policy_source=plan.policy.source,
        group_label=plan.group.label,
        start_date=plan.start,
        end_date=plan.quarantine_end,
        monitoring_end=plan.monitoring_end,
        test_dates=[d.isoformat() for d in plan.test_dates],
        created_by=by,
    )
    audit_record(
        actor=by,
        action="checkpoints.quarantine_start",
        target=quarantine,
        changes={"policy": plan.policy.key, "end": plan.quarantine_end.isoformat()},
    )
    if apps.is_installed("phongdich.quarantine"):
        # One quarantine record for everyone (issue 13): the returnee's Quarantine.
        from phongdich.quarantine.services import quarantine_from_checkpoint

        quarantine_from_checkpoint(by=by, home=quarantine)
    return quarantine


@transaction.atomic
def quarantine_mark(*, by, quarantine: HomeQuarantine, what: str) -> HomeQuarantine:
    """Record that the commitment was signed or the door sign posted."""
    field = {"commitment": "commitment_signed_at", "door_sign": "door_sign_posted_at"}[what]
    if getattr(quarantine, field) is None:
        setattr(quarantine, field, timezone.now())
        quarantine.save(update_fields=[field])
        audit_record(actor=by, action=f"checkpoints.quarantine_{what}", target=quarantine)
    return quarantine


@idempotency.submitted_once(QuarantineCheck)
@transaction.atomic
def quarantine_check_record(
    *,
    by=None,
    quarantine: HomeQuarantine,
    temperature=None,
    symptoms=(),
    note="",
    submission: idempotency.Submission | None = None,
) -> QuarantineCheck:
    if quarantine.status != HomeQuarantine.Status.ACTIVE:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    check = QuarantineCheck.objects.create(
        quarantine=quarantine,
        temperature=temperature,
        symptoms=[s for s in symptoms if s in SYMPTOMS],
        note=nfc(note)[:300],
        by=by if getattr(by, "is_authenticated", False) else None,
        **idempotency.fields(submission),
    )
    temp = float(temperature) if temperature is not None else None
    attention = rules.check_needs_attention(temperature=temp, symptoms=check.symptoms)
    if attention:
        quarantine.attention_at = check.at
        quarantine.save(update_fields=["attention_at"])
    if apps.is_installed("phongdich.quarantine"):
        from phongdich.quarantine.services import checkpoint_check_seen

        checkpoint_check_seen(home=quarantine, at=check.at, attention=attention)
    audit_record(
        actor=by,
        actor_label="" if getattr(by, "is_authenticated", False) else CITIZEN,
        action="checkpoints.quarantine_check",
        target=quarantine,
        changes={"symptoms": check.symptoms},
    )
    return check


@transaction.atomic
def quarantine_release(*, by, quarantine: HomeQuarantine) -> HomeQuarantine:
    updated = HomeQuarantine.objects.filter(
        pk=quarantine.pk, status=HomeQuarantine.Status.ACTIVE
    ).update(status=HomeQuarantine.Status.RELEASED, released_at=timezone.now(), released_by=by)
    if not updated:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    quarantine.refresh_from_db()
    audit_record(actor=by, action="checkpoints.quarantine_release", target=quarantine)
    if apps.is_installed("phongdich.quarantine"):
        from phongdich.quarantine.services import checkpoint_released

        checkpoint_released(by=by, home=quarantine)
    return quarantine


@transaction.atomic
def quarantine_link_mint(*, by, quarantine: HomeQuarantine) -> str:
    days = (quarantine.monitoring_end - timezone.localdate()).days + 2
    _link, raw = QuarantineLink.mint(valid_for=timedelta(days=max(days, 1)), quarantine=quarantine)
    audit_record(actor=by, action="checkpoints.quarantine_link", target=quarantine)
    return raw
