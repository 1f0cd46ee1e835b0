from django.core.management.base import BaseCommand

from phongdich.geo.services import DATASETS, geography_load


class Command(BaseCommand):
    help = "Load administrative units (2021 three-level or 2025 two-level structure)."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", choices=DATASETS, default="2021")
        parser.add_argument(
            "--province",
            help="GSO code of the home province, e.g. 38: loaded down to its communes, the "
            "rest of the country as provinces and districts only",
        )
        parser.add_argument(
            "--no-outline",
            action="store_true",
            help="with --province: leave out the other provinces and their districts",
        )

    def handle(self, *args, dataset, province, no_outline, **options):
        result = geography_load(dataset=dataset, province=province, outline=not no_outline)
        self.stdout.write(
            f"dataset {dataset}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
