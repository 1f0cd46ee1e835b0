"""Recompute the province code of every coded table (geo.province), in batches.

The triggers keep the code right on every write; this is for the one case they do not
see: a geography reload that moves a commune to another province (the 2025 dataset). Run
it after such a reload, as the tables' owner, in a quiet hour: each batch is one UPDATE of
at most 20,000 ids, parents before children. Idempotent: rows already right are not
rewritten.
"""

from django.core.management.base import BaseCommand

from phongdich.geo import province


class Command(BaseCommand):
    help = "Recompute the province code of the large tables (after a geography reload)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=province.BATCH)
        parser.add_argument("--database", default="default")

    def handle(self, *args, batch, database, **options):
        for spec in province.ALL:
            changed = province.backfill(spec, using=database, batch=max(1, batch))
            name = spec.table if spec.code == "province" else f"{spec.table}.{spec.code}"
            self.stdout.write(f"{name}: {changed} rows changed")
