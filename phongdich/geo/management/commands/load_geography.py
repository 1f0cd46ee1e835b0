from django.core.management.base import BaseCommand

from phongdich.geo.services import DATASETS, geography_load


class Command(BaseCommand):
    help = "Load administrative units (2021 three-level or 2025 two-level structure)."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", choices=DATASETS, default="2021")
        parser.add_argument("--province", help="GSO code of one province, e.g. 38")

    def handle(self, *args, dataset, province, **options):
        result = geography_load(dataset=dataset, province=province)
        self.stdout.write(
            f"dataset {dataset}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
