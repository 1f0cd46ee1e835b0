from django.core.management.base import BaseCommand

from phongdich.checkpoints.services import transit_scan_overdue


class Command(BaseCommand):
    help = "Alert once for every escorted vehicle that has not left the province in time."

    def handle(self, *args, **options):
        alerted = transit_scan_overdue()
        self.stdout.write(f"{len(alerted)} overdue")
