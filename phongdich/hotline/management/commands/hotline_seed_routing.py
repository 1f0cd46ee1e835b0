"""Create the default responsible units and routing table for a province:

python manage.py hotline_seed_routing 38
"""

from django.core.management.base import BaseCommand

from phongdich.geo.models import AdminUnit
from phongdich.hotline.services import routing_seed_province


class Command(BaseCommand):
    help = "Create default hotline units and routing rules for a province (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("province_code")

    def handle(self, *args, province_code, **options):
        province = AdminUnit.objects.get(code=province_code, kind="province")
        result = routing_seed_province(by=None, province=province)
        self.stdout.write(f"units created: {result['units']}, rules created: {result['rules']}")
