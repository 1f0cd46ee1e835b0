"""Dose reminders: due people get one SMS per dose, never at night (issue 11, brief h2)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from phongdich.hotline.gateways import console_outbox
from phongdich.vaccination import reminders, services
from phongdich.vaccination.models import DoseReminder

from . import builders

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST = date(2021, 10, 11)  # Pfizer dose 1; dose 2 possible 21 days later (RULES.md)
DUE = date(2021, 11, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HCM)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(20, 59, False), (21, 0, True), (23, 59, True), (0, 0, True), (6, 59, True), (7, 0, False)],
)
def test_quiet_hours_boundaries(hour, minute, quiet):
    assert reminders.is_quiet(at(DUE, hour, minute)) is quiet


def test_quiet_hours_read_local_time_whatever_the_zone_given():
    # 14:00 UTC is 21:00 in Hồ Chí Minh City.
    assert reminders.is_quiet(datetime(2021, 11, 1, 14, 0, tzinfo=ZoneInfo("UTC")))
    assert not reminders.is_quiet(datetime(2021, 11, 1, 13, 59, tzinfo=ZoneInfo("UTC")))


@pytest.fixture
def vaccinee(world, staff):
    person = builders.person(world, staff)
    services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose(day=FIRST)
    )
    console_outbox.clear()
    return person


@pytest.mark.parametrize(
    ("hour", "minute", "sent"),
    [(20, 59, 1), (21, 0, 0), (6, 59, 0), (7, 0, 1)],
)
def test_sends_only_outside_quiet_hours(vaccinee, hour, minute, sent):
    counts = reminders.reminders_send(now=at(DUE, hour, minute))
    assert counts["sent"] == sent
    assert len(console_outbox) == sent
    assert DoseReminder.objects.count() == sent


def test_one_reminder_per_dose(vaccinee):
    assert reminders.reminders_send(now=at(DUE, 9))["sent"] == 1
    assert reminders.reminders_send(now=at(DUE, 15))["sent"] == 0
    assert reminders.reminders_send(now=at(date(2021, 11, 5), 9))["sent"] == 0
    assert len(console_outbox) == 1
    message = console_outbox[0]
    assert message.to == vaccinee.phone
    assert "mũi 2" in message.text and "01/11/2021" in message.text
    reminder = DoseReminder.objects.get()
    assert (reminder.person_id, reminder.dose_number, reminder.due_on) == (vaccinee.pk, 2, DUE)


def test_not_before_the_dose_is_due(vaccinee):
    assert reminders.reminders_send(now=at(date(2021, 10, 31), 9))["sent"] == 0
    assert reminders.reminders_send(now=at(DUE, 9))["sent"] == 1


def test_the_next_dose_gets_its_own_reminder(vaccinee, staff):
    reminders.reminders_send(now=at(DUE, 9))
    services.dose_record_for_person(
        by=staff.commune_worker_a, person=vaccinee, dose=builders.dose(n=2, day=DUE)
    )
    # Booster: 3 months after the primary series from 01/01/2022 (RULES.md): dose 2 on
    # 01/11/2021 makes dose 3 possible on 30/01/2022, reminded then, once.
    assert reminders.reminders_send(now=at(date(2022, 1, 29), 9))["sent"] == 0
    assert reminders.reminders_send(now=at(date(2022, 1, 30), 9))["sent"] == 1
    assert reminders.reminders_send(now=at(date(2022, 1, 31), 9))["sent"] == 0
    assert sorted(DoseReminder.objects.values_list("dose_number", flat=True)) == [2, 3]


def test_long_overdue_people_are_left_to_the_outreach_lists(vaccinee, settings):
    settings.VACCINATION_REMINDER_WINDOW_DAYS = 30
    assert reminders.reminders_send(now=at(date(2021, 12, 1), 9))["sent"] == 0  # day 30
    assert reminders.reminders_send(now=at(date(2021, 11, 30), 9))["sent"] == 1  # day 29


def test_no_phone_no_reminder(world, staff):
    person = builders.person(world, staff, phone="", id_number="038080009999")
    services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose(day=FIRST)
    )
    assert reminders.reminders_send(now=at(DUE, 9))["sent"] == 0


def test_a_failed_send_is_tried_again(vaccinee, settings):
    settings.HOTLINE_SMS_GATEWAY = "phongdich.vaccination.tests.test_reminders.Failing"
    assert reminders.reminders_send(now=at(DUE, 9)) == {
        "sent": 0,
        "skipped": 0,
        "failed": 1,
        "quiet": 0,
    }
    assert DoseReminder.objects.count() == 0
    settings.HOTLINE_SMS_GATEWAY = "console"
    assert reminders.reminders_send(now=at(DUE, 10))["sent"] == 1


class Failing:
    def send(self, to, text, *, channel, reference):
        from phongdich.hotline.gateways import GatewayError

        raise GatewayError("down")


def test_the_job_is_scheduled():
    from phongdich.schedule.jobs import JOBS

    assert "vaccination.send_reminders" in {job.name for job in JOBS}


# --- the channel: SMS or Zalo ------------------------------------------------------------


@pytest.mark.parametrize(
    ("default", "chosen", "expected"),
    [
        ("sms", None, "sms"),
        ("zalo", None, "zalo"),  # the province's default when the person chose none
        ("sms", "zalo", "zalo"),  # the person's own choice wins
        ("zalo", "sms", "sms"),
    ],
)
def test_the_reminder_goes_by_the_persons_channel_else_the_provinces(
    vaccinee, staff, settings, default, chosen, expected
):
    settings.VACCINATION_REMINDER_CHANNEL = default
    if chosen:
        reminders.reminder_channel_set(by=staff.commune_worker_a, person=vaccinee, channel=chosen)
    assert reminders.reminders_send(now=at(DUE, 9))["sent"] == 1
    assert [m.channel for m in console_outbox] == [expected]
    assert console_outbox[0].to == vaccinee.phone
    assert DoseReminder.objects.get().channel == expected


@pytest.mark.parametrize(("hour", "minute", "sent"), [(20, 59, 1), (21, 0, 0), (6, 59, 0)])
def test_zalo_keeps_the_quiet_hours(vaccinee, staff, hour, minute, sent):
    reminders.reminder_channel_set(by=staff.commune_worker_a, person=vaccinee, channel="zalo")
    assert reminders.reminders_send(now=at(DUE, hour, minute))["sent"] == sent
    assert len(console_outbox) == sent


def test_changing_the_channel_does_not_send_the_same_dose_again(vaccinee, staff):
    assert reminders.reminders_send(now=at(DUE, 9))["sent"] == 1
    reminders.reminder_channel_set(by=staff.commune_worker_a, person=vaccinee, channel="zalo")
    assert reminders.reminders_send(now=at(DUE, 15))["sent"] == 0
    assert [m.channel for m in console_outbox] == ["sms"]


def test_a_wrong_province_channel_stops_the_job_by_name(vaccinee, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.VACCINATION_REMINDER_CHANNEL = "fax"
    with pytest.raises(ImproperlyConfigured, match="VACCINATION_REMINDER_CHANNEL"):
        reminders.reminders_send(now=at(DUE, 9))
    assert console_outbox == [] and not DoseReminder.objects.exists()


def test_the_channel_is_chosen_on_the_record_audited_and_bounded(client, world, staff, vaccinee):
    from phongdich.audit.models import AuditEvent
    from phongdich.vaccination.models import ReminderChannel

    record = f"/vaccination/people/{vaccinee.pk}/"
    url = f"/vaccination/people/{vaccinee.pk}/reminder-channel/"
    client.force_login(staff.commune_worker_a)
    page = client.get(record).content.decode()
    assert 'id="reminder-channel"' in page and url in page and "qua SMS" in page
    assert client.get(url).status_code == 405
    refused = client.post(url, {"channel": "fax"}, follow=True)
    assert refused.status_code == 200 and not ReminderChannel.objects.exists()
    done = client.post(url, {"channel": "zalo"}, follow=True).content.decode()
    assert "Từ nay nhắc lịch tiêm qua Zalo." in done and "qua Zalo, mỗi mũi một lần" in done
    again = client.post(url, {"channel": "zalo"}, follow=True).content.decode()
    assert "Đã nhắc lịch tiêm qua Zalo từ trước." in again
    row = ReminderChannel.objects.get()
    assert (row.person, row.channel, row.set_by) == (vaccinee, "zalo", staff.commune_worker_a)
    event = AuditEvent.objects.get(action="vaccination.reminder_channel")  # once: no change after
    assert event.changes == {"channel": [None, "zalo"]}
    client.post(url, {"channel": "sms"})
    assert ReminderChannel.objects.get().channel == "sms"
    assert AuditEvent.objects.filter(action="vaccination.reminder_channel").count() == 2
    client.force_login(staff.commune_worker_b)
    assert client.post(url, {"channel": "zalo"}).status_code == 404
    assert ReminderChannel.objects.get().channel == "sms"
