"""Reminders to people whose next dose is due, by SMS or Zalo through the hotline's
gateways, once per person and dose number (`DoseReminder`), whatever the channel.

The channel is the person's own choice on their vaccination record (`ReminderChannel`,
`reminder_channel_set`), else the province's default (`VACCINATION_REMINDER_CHANNEL`,
"sms" unless set). The HTTP gateway carries the channel to the provider; the console
gateway keeps it in its outbox.

Who is due comes from the rules through the outreach summaries (`summary.py`, the same
`rules.status_on` as `services.person_status`): people with at least one dose and a phone
whose next dose may be given today, and became possible within the last
`VACCINATION_REMINDER_WINDOW_DAYS` days (30): people overdue for longer are the outreach
lists' work, not a text out of the blue. Nobody is texted 21:00–07:00 Asia/Ho_Chi_Minh.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.people.models import Person

from . import summary
from .models import Dose, DoseReminder, OutreachSummary, ReminderChannel
from .policy import policy

log = logging.getLogger(__name__)

# No SMS at night (the brief of issue 11: 21:00–07:00 local time).
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(7, 0)
# One run sends at most this many, so a job never holds a worker for hours; the next
# run continues where it stopped (sent reminders are skipped by their rows).
BATCH = 2000


def is_quiet(moment: datetime) -> bool:
    """True from 21:00 (inclusive) to 07:00 (exclusive), local time."""
    local = timezone.localtime(moment).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def default_channel() -> str:
    """The province's channel for people who chose none; a wrong setting stops the job with
    its name rather than texting by a channel the gateway does not know."""
    channel = getattr(settings, "VACCINATION_REMINDER_CHANNEL", ReminderChannel.Channel.SMS)
    if channel not in ReminderChannel.Channel.values:
        raise ImproperlyConfigured(
            f"VACCINATION_REMINDER_CHANNEL must be one of {ReminderChannel.Channel.values}"
        )
    return channel


def window_days() -> int:
    return int(getattr(settings, "VACCINATION_REMINDER_WINDOW_DAYS", 30))


def due_rows(day, *, limit: int = BATCH):
    """(summary rows) of people due for a reminder on `day` that have not had one."""
    current = policy()
    vaccinated = Person.objects.filter(merged_into__isnull=True).exclude(phone="")
    vaccinated = vaccinated.filter(Exists(Dose.objects.filter(person=OuterRef("pk"))))
    summary.ensure_fresh(vaccinated, day, current)
    already = DoseReminder.objects.filter(
        person_id=OuterRef("person_id"), dose_number=OuterRef("next_dose_number")
    )
    return list(
        OutreachSummary.objects.filter(
            summary.holding(day, summary.policy_key(current)),
            doses__gte=1,
            next_dose_number__isnull=False,
            next_earliest__lte=day,
            next_earliest__gt=day - timedelta(days=window_days()),
            person__in=vaccinated,
        )
        .exclude(Exists(already))
        .annotate(
            chosen_channel=Subquery(
                ReminderChannel.objects.filter(person_id=OuterRef("person_id")).values("channel")[
                    :1
                ]
            )
        )
        .select_related("person")
        .order_by("next_earliest", "person_id")[:limit]
    )


def reminder_text(row) -> str:
    return _(
        "Trạm y tế: %(name)s đã đến lịch tiêm mũi %(n)s vắc xin COVID-19 (từ ngày %(day)s). "
        "Mời bạn đến điểm tiêm gần nhất, mang theo CCCD."
    ) % {
        "name": row.person.full_name,
        "n": row.next_dose_number,
        "day": row.next_earliest.strftime("%d/%m/%Y"),
    }


def reminders_send(*, now: datetime | None = None, limit: int = BATCH) -> dict:
    """Send the reminders due now. Each is claimed by inserting its DoseReminder row first,
    in the transaction that sends it: a concurrent worker waits on the unique index and then
    skips it; a gateway failure rolls the claim back so the next run tries again."""
    from phongdich.hotline.gateways import GatewayError, get_gateway

    clock = (lambda: now) if now is not None else timezone.now
    counts = {"sent": 0, "skipped": 0, "failed": 0, "quiet": 0}
    if is_quiet(clock()):
        counts["quiet"] = 1
        return counts
    day = timezone.localdate(clock())
    fallback = default_channel()
    gateway = get_gateway()
    for row in due_rows(day, limit=limit):
        if is_quiet(clock()):  # a long run reaching 21:00 stops there
            counts["quiet"] = 1
            break
        person = row.person
        channel = row.chosen_channel or fallback
        try:
            with transaction.atomic():
                reminder = DoseReminder.objects.create(
                    person=person,
                    dose_number=row.next_dose_number,
                    due_on=row.next_earliest,
                    to=person.phone,
                    channel=channel,
                )
                reminder.external_id = gateway.send(
                    person.phone,
                    reminder_text(row),
                    channel=channel,
                    reference=f"TC-{person.pk}-{row.next_dose_number}",
                )[:100]
                reminder.save(update_fields=["external_id"])
                audit_record(
                    actor=None,
                    action="vaccination.reminder.send",
                    target=person,
                    changes={"dose_number": row.next_dose_number, "channel": channel},
                )
        except IntegrityError:
            counts["skipped"] += 1
        except GatewayError as exc:
            log.warning("dose reminder to person %s failed: %s", person.pk, exc)
            counts["failed"] += 1
        else:
            counts["sent"] += 1
    return counts


@transaction.atomic
def reminder_channel_set(*, by, person: Person, channel: str) -> tuple[ReminderChannel, bool]:
    """Record how `person` wants their dose reminders. One row per person (its unique key
    makes two saves at once one row, the later choice kept); audited only when it changes."""
    from phongdich.accounts.permissions import scope_to_jurisdiction

    if not scope_to_jurisdiction(Person.objects.filter(pk=person.pk), by, "commune").exists():
        raise PermissionDenied(_("Người này không thuộc địa bàn của bạn."))
    if channel not in ReminderChannel.Channel.values:
        raise ValidationError(_("Kênh gửi không hợp lệ."))
    row, created = ReminderChannel.objects.select_for_update().get_or_create(
        person=person, defaults={"channel": channel, "set_by": by}
    )
    before = None if created else row.channel
    if before == channel:
        return row, False
    if not created:
        row.channel, row.set_by = channel, by
        row.save(update_fields=["channel", "set_by", "set_at"])
    audit_record(
        actor=by,
        action="vaccination.reminder_channel",
        target=person,
        changes={"channel": [before, channel]},
    )
    return row, True


def channel_of(person: Person) -> str:
    """The channel this person's reminders go by now (their choice, else the default)."""
    chosen = ReminderChannel.objects.filter(person=person).values_list("channel", flat=True)
    return chosen.first() or getattr(
        settings, "VACCINATION_REMINDER_CHANNEL", ReminderChannel.Channel.SMS
    )
