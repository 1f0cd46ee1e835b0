import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from phongdich.schedule.services import active_jobs, periodic_enqueue_due


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (escalations, no-contact scans, reminders) when due."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="one tick, then exit (cron)")

    def handle(self, *args, interval, once, **options):
        for job in active_jobs():
            self.stdout.write(f"  {job.name:<30} every {job.every}  ({job.why})")
        while True:
            close_old_connections()
            for name in periodic_enqueue_due():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(interval)
