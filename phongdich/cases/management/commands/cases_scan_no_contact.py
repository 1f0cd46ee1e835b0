from django.core.management.base import BaseCommand

from phongdich.cases.services import alerts_scan_no_contact, no_contact_gap


class Command(BaseCommand):
    help = "Raise 'no contact' alerts for F0 without a check for CASES_NO_CONTACT_HOURS."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, help="override CASES_NO_CONTACT_HOURS")

    def handle(self, *args, hours=None, **options):
        from datetime import timedelta

        gap = timedelta(hours=hours) if hours else no_contact_gap()
        count = alerts_scan_no_contact(gap=gap)
        self.stdout.write(f"no-contact alerts raised: {count}")
