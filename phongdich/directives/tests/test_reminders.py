import email
import email.policy
import socket
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from phongdich.directives import services
from phongdich.directives.models import ReminderSent, Task


def _due(document, unit, deadline):
    task = document.tasks.get(is_draft=False, ref="2", assignments__unit=unit)
    task.deadline = deadline
    task.save()
    # The other district of the group has reported its part done: only `unit` is reminded.
    task.assignments.filter(role="lead").exclude(unit=unit).update(status="reported_done")
    return task


@pytest.fixture
def quiet_others(confirmed):
    """Only the tasks a test sets a deadline on are due."""
    confirmed.tasks.update(deadline=None)


def test_it_reminds_before_the_deadline_and_once_overdue_never_twice(
    confirmed, reporters, quiet_others, mailoutbox, settings
):
    settings.DIRECTIVES_REMINDER_DAYS = 3
    today = date(2022, 3, 17)
    task = _due(confirmed, reporters["unit_a"], date(2022, 3, 20))
    assert services.reminders_send(today=today - timedelta(days=1)) == {
        "before": 0, "overdue": 0, "skipped": 0,
    }  # fmt: skip
    assert services.reminders_send(today=today)["before"] == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["baocao.a@example.org"]
    assert "Sắp đến hạn" in message.subject and "20/03/2022" in message.subject
    assert f"/directives/tasks/{task.pk}/" in message.body
    assert services.reminders_send(today=today)["before"] == 0  # not twice
    assert services.reminders_send(today=date(2022, 3, 21))["overdue"] == 1
    assert services.reminders_send(today=date(2022, 3, 22))["overdue"] == 0
    assert len(mailoutbox) == 2 and "Quá hạn" in mailoutbox[1].subject
    assert ReminderSent.objects.filter(task=task).count() == 2


def test_it_skips_done_tasks_and_units_without_reporters(
    confirmed, reporters, quiet_others, mailoutbox
):
    done = _due(confirmed, reporters["unit_a"], date(2022, 3, 20))
    done.status = Task.Status.REPORTED_DONE
    done.save()
    reporters["b"].directive_memberships.all().delete()
    _due(confirmed, reporters["unit_b"], date(2022, 3, 20))
    assert services.reminders_send(today=date(2022, 3, 25)) == {
        "before": 0, "overdue": 0, "skipped": 0,
    }  # fmt: skip
    assert mailoutbox == []


def test_the_command_sends_through_a_real_smtp_server(confirmed, reporters, quiet_others, settings):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            received.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        _due(confirmed, reporters["unit_a"], timezone.localdate() - timedelta(days=1))
        call_command("directives_send_reminders")
        call_command("directives_send_reminders")
    finally:
        controller.stop()
    assert len(received) == 1
    assert received[0].rcpt_tos == ["baocao.a@example.org"]
    message = email.message_from_bytes(received[0].content, policy=email.policy.default)
    assert str(message["Subject"]).strip().startswith("[Quá hạn]")


def test_the_seed_command_is_idempotent(world, capsys):
    call_command("directives_seed_units")
    call_command("directives_seed_units")
    out = capsys.readouterr().out.splitlines()
    assert "2 districts" in out[0] and "0 districts" in out[1]
