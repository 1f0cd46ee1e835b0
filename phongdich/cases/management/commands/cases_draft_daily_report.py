from datetime import datetime

from django.core.management.base import BaseCommand

from phongdich.cases.services import daily_reports_draft_all


class Command(BaseCommand):
    help = "Draft (or refresh) the daily announcement of every province for review."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="dd/mm/yyyy (default: today)")

    def handle(self, *args, date=None, **options):
        day = datetime.strptime(date, "%d/%m/%Y").date() if date else None
        count = daily_reports_draft_all(day=day)
        self.stdout.write(f"daily reports drafted: {count}")
