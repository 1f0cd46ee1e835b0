from django.core.management.base import BaseCommand, CommandError

from phongdich.directives import services
from phongdich.geo.models import AdminUnit


class Command(BaseCommand):
    help = (
        "Seed the directives unit directory: the usual provincial bodies and 'UBND <name>' "
        "for each district and commune of the province present in geo. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", help="GSO code of the province (e.g. 38)")

    def handle(self, *args, province=None, **options):
        provinces = AdminUnit.objects.filter(kind=AdminUnit.Kind.PROVINCE)
        if province:
            provinces = provinces.filter(code=province)
        elif provinces.count() > 1:
            raise CommandError("several provinces are loaded: choose one with --province CODE")
        unit = provinces.first()
        if unit is None:
            raise CommandError("no such province in geo; load the geography first")
        counts = services.units_seed(by=None, province=unit)
        self.stdout.write(
            f"{unit.name}: {counts['bodies']} provincial bodies, {counts['districts']} districts, "
            f"{counts['communes']} communes added"
        )
