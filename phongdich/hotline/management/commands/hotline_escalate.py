"""Escalate open hotline tickets past their SLA. Run from cron every minute or two:

    python manage.py hotline_escalate

Overlapping runs are safe: each ticket is taken with a guarded UPDATE.
"""

from django.core.management.base import BaseCommand

from phongdich.hotline.services import ticket_escalate_overdue


class Command(BaseCommand):
    help = "Escalate hotline tickets that missed their service-level target."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000)

    def handle(self, *args, limit, **options):
        count = ticket_escalate_overdue(limit=limit)
        self.stdout.write(f"escalated {count} ticket(s)")
