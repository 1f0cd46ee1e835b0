from django.core.management.base import BaseCommand

from phongdich.directives import services


class Command(BaseCommand):
    help = (
        "Email lead units' reporters DIRECTIVES_REMINDER_DAYS days before a task's deadline "
        "and once it has passed; each task gets each kind of reminder once. Run daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the job for the worker instead"
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from phongdich.directives.tasks import send_reminders_job

            send_reminders_job.enqueue()
            self.stdout.write("queued")
            return
        sent = services.reminders_send()
        self.stdout.write(
            f"before deadline: {sent['before']}, overdue: {sent['overdue']}, "
            f"already sent: {sent['skipped']}"
        )
