import logging
import os
import threading
from argparse import BooleanOptionalAction

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

from phongdich.schedule.services import periodic_enqueue_due

logger = logging.getLogger(__name__)


def _scheduler_loop(interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            periodic_enqueue_due()
        except Exception:  # a failed tick must not kill the worker; the next one retries
            logger.exception("scheduler tick failed")
        stop.wait(interval)
    close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the background worker (django-tasks database queue): notifications, imports, "
        "and the periodic jobs of phongdich/schedule/jobs.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--queues", default="*", help="comma-separated queues, * for all")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="seconds between polls when idle"
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="do not enqueue periodic jobs here (run `manage.py scheduler` elsewhere)",
        )
        parser.add_argument(
            "--reload",
            action=BooleanOptionalAction,
            default=settings.DEBUG,
            help="restart on code changes (default: DEBUG); never in production",
        )
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument(
            "--no-startup-delay",
            action="store_false",
            dest="startup_delay",
            help="start polling at once (by default a random delay of up to 1 s spreads workers)",
        )

    def handle(
        self, *args, queues, interval, no_scheduler, reload, batch, startup_delay, **options
    ):
        stop = threading.Event()
        reload = reload and not batch  # db_worker does not reload a batch run either
        # With --reload this process only watches files and restarts a child running the same
        # command; the scheduler belongs in the child, next to the queue it feeds.
        watcher_only = reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not no_scheduler and not watcher_only:
            # The claim in periodic_enqueue_due is a guarded UPDATE, so several workers each
            # running this thread still enqueue every run once.
            threading.Thread(
                target=_scheduler_loop, args=(30.0, stop), daemon=True, name="scheduler"
            ).start()
        try:
            call_command(
                "db_worker",
                queue_name=queues,
                interval=interval,
                reload=reload,
                batch=batch,
                startup_delay=startup_delay,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
