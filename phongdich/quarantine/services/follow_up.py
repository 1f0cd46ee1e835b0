"""Daily checks (by the citizen's link or staff), the personal link, follow-up items and
the hourly scan."""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.checkpoints.rules import check_needs_attention
from phongdich.checkpoints.services import CITIZEN, SYMPTOMS
from phongdich.lib import idempotency
from phongdich.lib.text import nfc

from ..models import DailyCheck, FollowUpItem, Quarantine, QuarantineLink, Status
from .common import _actor

CHECK_GRACE_HOURS = 10


@idempotency.submitted_once(DailyCheck)
@transaction.atomic
def quarantine_check_record(
    *,
    by=None,
    quarantine: Quarantine,
    temperature=None,
    symptoms=(),
    note="",
    submission: idempotency.Submission | None = None,
) -> DailyCheck:
    """A daily symptom check, by the citizen through the personal link or by staff."""
    if quarantine.status != Status.ACTIVE:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    check = DailyCheck.objects.create(
        quarantine=quarantine,
        temperature=temperature,
        symptoms=[s for s in symptoms if s in SYMPTOMS],
        note=nfc(note)[:300],
        by=_actor(by),
        **idempotency.fields(submission),
    )
    fields = {"last_check_at": check.at}
    temp = float(temperature) if temperature is not None else None
    if check_needs_attention(temperature=temp, symptoms=check.symptoms):
        fields.update(attention_at=check.at, attention_reason=_("Sốt hoặc khó thở"))
    Quarantine.objects.filter(pk=quarantine.pk).update(**fields)
    for key, value in fields.items():
        setattr(quarantine, key, value)
    FollowUpItem.objects.filter(
        quarantine=quarantine,
        kind=FollowUpItem.Kind.MISSED_CHECK,
        day__gte=timezone.localtime(check.at).date() - timedelta(days=1),
        done_at__isnull=True,
    ).update(done_at=check.at)
    audit_record(
        actor=by,
        actor_label="" if _actor(by) else CITIZEN,
        action="quarantine.check",
        target=quarantine,
        changes={"symptoms": check.symptoms},
    )
    return check


@transaction.atomic
def quarantine_link_mint(*, by, quarantine: Quarantine) -> str:
    days = (quarantine.planned_end - timezone.localdate()).days + 2
    _link, raw = QuarantineLink.mint(valid_for=timedelta(days=max(days, 1)), quarantine=quarantine)
    audit_record(actor=by, action="quarantine.link", target=quarantine)
    return raw


@transaction.atomic
def follow_up_done(*, by, item: FollowUpItem) -> FollowUpItem:
    if FollowUpItem.objects.filter(pk=item.pk, done_at__isnull=True).update(done_at=timezone.now()):
        audit_record(
            actor=by,
            action="quarantine.follow_up_done",
            target=item.quarantine,
            changes={"kind": item.kind, "day": item.day.isoformat()},
        )
    item.refresh_from_db()
    return item


def scan_follow_up(*, now: datetime | None = None) -> dict:
    """The hourly scan: for each active quarantine, a missed check for yesterday (no check
    since yesterday's start, once today's grace hour has passed) and a test due today or
    earlier. Items are unique per quarantine, kind and day, so reruns add nothing."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    yesterday = today - timedelta(days=1)
    yesterday_start = timezone.make_aware(datetime.combine(yesterday, time.min))
    items = []
    active = Quarantine.objects.filter(status=Status.ACTIVE).only(
        "pk", "start_date", "planned_end", "test_dates", "last_check_at"
    )
    for quarantine in active.iterator(chunk_size=2000):
        if (
            now.hour >= CHECK_GRACE_HOURS
            and quarantine.start_date <= yesterday <= quarantine.planned_end
            and (quarantine.last_check_at is None or quarantine.last_check_at < yesterday_start)
        ):
            items.append(
                FollowUpItem(quarantine_id=quarantine.pk, kind="missed_check", day=yesterday)
            )
        for day in quarantine.test_days:
            if day <= today and day >= today - timedelta(days=1):
                items.append(FollowUpItem(quarantine_id=quarantine.pk, kind="test_due", day=day))
    with transaction.atomic():
        # bulk_create with ignore_conflicts returns every object, inserted or not: count.
        recent = FollowUpItem.objects.filter(day__gte=yesterday)
        before = recent.count()
        FollowUpItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=1000)
        created = recent.count() - before
        flagged = {item.quarantine_id for item in items}
        if flagged:
            Quarantine.objects.filter(pk__in=flagged, attention_at__isnull=True).update(
                attention_at=now, attention_reason=_("Chưa báo cáo hoặc đến ngày xét nghiệm")
            )
    return {"candidates": len(items), "created": created}
