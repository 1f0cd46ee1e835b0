from django.core.management.base import BaseCommand

from phongdich.geo.province import PARTITIONED, prepare_partitions


class Command(BaseCommand):
    help = (
        "Create the missing partitions of the tables partitioned by province on PostgreSQL "
        f"({', '.join(PARTITIONED)}): the DEFAULT and one per served province. Run it as the "
        "tables' owner (the application role owns nothing and cannot create partitions)."
    )

    def handle(self, *args, **options):
        outcome = prepare_partitions()
        for name in outcome.created:
            self.stdout.write(f"created {name}")
        for name in outcome.blocked:
            self.stdout.write(f"blocked {name}")
        self.stdout.write(f"{len(outcome.created)} created, {len(outcome.blocked)} blocked")
