from django.core.management.base import BaseCommand

from phongdich.audit.partitions import MONTHS_AHEAD, prepare_partitions


class Command(BaseCommand):
    help = (
        "Create the audit table's missing partitions on PostgreSQL: each province's and its "
        "months up to --months ahead. Run it as the tables' owner (the application role "
        "owns nothing and cannot create partitions)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=MONTHS_AHEAD)

    def handle(self, *args, months=MONTHS_AHEAD, **options):
        outcome = prepare_partitions(months_ahead=max(0, min(months, 24)))
        for name in outcome.created:
            self.stdout.write(f"created {name}")
        for name in outcome.blocked:
            self.stdout.write(f"blocked {name} (its rows sit in a default partition)")
        self.stdout.write(f"{len(outcome.created)} created, {len(outcome.blocked)} blocked")
