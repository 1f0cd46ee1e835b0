from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from phongdich.directives import services
from phongdich.geo.models import AdminUnit


class Command(BaseCommand):
    help = (
        "Seed the directives unit directory: the usual provincial bodies and 'UBND <name>' "
        "for each district and commune of the province present in geo. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", help="GSO code of the province (default: HOME_PROVINCE_CODE)"
        )

    def handle(self, *args, province=None, **options):
        # Every province of the country is loaded (travellers' origins): the directory is
        # the home province's unless told otherwise.
        code = province or settings.HOME_PROVINCE_CODE
        unit = AdminUnit.objects.filter(kind=AdminUnit.Kind.PROVINCE, code=code).first()
        if unit is None:
            raise CommandError("no such province in geo; load the geography first")
        counts = services.units_seed(by=None, province=unit)
        self.stdout.write(
            f"{unit.name}: {counts['bodies']} provincial bodies, {counts['districts']} districts, "
            f"{counts['communes']} communes added"
        )
