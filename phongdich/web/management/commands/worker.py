from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (django-tasks database queue): reminders, imports, alerts."

    def add_arguments(self, parser):
        parser.add_argument("--queues", default="*", help="comma-separated queues, * for all")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds between polls when idle"
        )

    def handle(self, *args, queues, interval, **options):
        call_command("db_worker", queue_name=queues, interval=interval)
