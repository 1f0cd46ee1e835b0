"""Speed of migration labtests 0005 (every old cases.LabResult moved into labtests.Sample,
set-based by id ranges on PostgreSQL) on a large old table, and of its row-by-row path (the
move before, batches of 1,000 through the ORM) on the first `--row-path` rows, against a
plain INSERT … SELECT of the same rows into a bare copy of labtests_sample's columns in the
same run (the database's own floor).

PostgreSQL. The old rows are generated in SQL (people and communes from the bench world):
a tenth carry a lab id that is some existing sample's code (the labtests app's own result,
linked back instead of copied), a twentieth a lab id of 41+ characters (it gets `KQ-L<id>`),
the rest a lab id of their own or none. The migration's `move` function is timed on the
real app registry, then `unmove` puts the table back for the next run.

    .venv/bin/python bench/labtests_move.py [--rows 200000] [--row-path 20000]
"""

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import django_setup  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pd_bench_labtests"
)
PEOPLE = 5000


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--row-path",
        type=int,
        default=20_000,
        help="old rows timed through the row-by-row path (the move before it was set-based)",
    )
    args = parser.parse_args()
    django_setup(DB_URL)
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from phongdich import testing
    from phongdich.cases.models import LabResult
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.province import province_of_unit
    from phongdich.labtests.models import Sample
    from phongdich.people.models import Person

    migration = importlib.import_module("phongdich.labtests.migrations.0005_move_cases_lab_results")
    if not AdminUnit.objects.filter(code="38").exists():
        testing.make_world()
    commune = AdminUnit.objects.get(code="14755")
    people = list(Person.objects.filter(commune=commune).values_list("pk", flat=True)[:PEOPLE])
    if len(people) < PEOPLE:
        fresh = []
        for n in range(len(people), PEOPLE):
            person = Person(
                full_name=f"Trần Văn Chuyển {n}",
                birth_year=1950 + n % 60,
                phone=f"+8497{n:07d}",
                commune=commune,
            )
            person.refresh_keys()
            fresh.append(person)
        people += [p.pk for p in Person.objects.bulk_create(fresh, batch_size=5000)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM labtests_sample WHERE legacy_result_id IS NOT NULL")
        cursor.execute("DELETE FROM cases_labresult")
        # A tenth of the old rows name a sample of the labtests app (its own result).
        cursor.execute("DELETE FROM labtests_sample WHERE barcode LIKE 'MV-%%'")
        own = args.rows // 10
        # The province named: the table is partitioned by it (labtests 0012) and a row is
        # routed before the fill trigger runs.
        cursor.execute(
            """INSERT INTO labtests_sample (person_id, barcode, kind, reason, commune_id,
                province, place, team, taken_at, status, result, ct_value, lab,
                lab_sample_id, presumptive, rejected_reason, supervised, symptomatic,
                created_at)
            SELECT (%s::int[])[1 + g %% %s], 'MV-' || g, 'pcr', 'screening', %s, %s, '', '',
                now() - interval '3 days', 'resulted', 'positive', NULL, 'CDC', '', false,
                '', true, false, now()
            FROM generate_series(1, %s) g""",
            [people, len(people), commune.pk, province_of_unit(commune), own],
        )
        cursor.execute(
            """INSERT INTO cases_labresult (person_id, case_id, commune_id, kind, positive,
                taken_at, supervised, lab, sample_id, created_by_id, created_at)
            SELECT (%s::int[])[1 + g %% %s], NULL, %s, CASE WHEN g %% 3 = 0 THEN 'rat'
                ELSE 'pcr' END, g %% 7 = 0, now() - interval '10 days', true,
                'Lab ' || (g %% 20),
                CASE WHEN g <= %s THEN 'MV-' || g
                     WHEN g %% 20 = 0 THEN repeat('X', 41) || g
                     WHEN g %% 4 = 0 THEN ''
                     ELSE 'LAB-' || g END,
                NULL, now() - interval '9 days'
            FROM generate_series(1, %s) g""",
            [people, len(people), commune.pk, own, args.rows],
        )
        cursor.execute("ANALYZE cases_labresult")
        cursor.execute("ANALYZE labtests_sample")
    print(
        f"{args.rows:,} old lab results ({own:,} of them the labtests app's own), "
        f"{Sample.objects.count():,} samples before, PostgreSQL [{load()}]",
        flush=True,
    )

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_move_floor")
        cursor.execute(
            "CREATE TABLE bench_move_floor AS SELECT * FROM labtests_sample WITH NO DATA"
        )
        started = time.perf_counter()
        cursor.execute(
            """INSERT INTO bench_move_floor (id, person_id, barcode, kind, reason, commune_id,
                place, team, taken_at, status, result, lab, lab_sample_id, presumptive,
                rejected_reason, supervised, symptomatic, legacy_result_id, resulted_at)
            SELECT r.id, r.person_id, 'KQ-L' || r.id, r.kind, 'reported', r.commune_id, '',
                '', r.taken_at, 'resulted', CASE WHEN r.positive THEN 'positive'
                ELSE 'negative' END, r.lab, r.sample_id, false, '', r.supervised, false,
                r.id, r.created_at
            FROM cases_labresult r"""
        )
        floor = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_move_floor")
    print(
        f"{'floor: one INSERT … SELECT into a bare table':<48} {args.rows / floor:10,.0f} "
        f"rows/s  ({floor:.2f} s)  [{load()}]",
        flush=True,
    )

    started = time.perf_counter()
    with transaction.atomic():
        migration.move(apps, None)
    seconds = time.perf_counter() - started
    moved = Sample.objects.filter(legacy_result_id__isnull=False).count()
    assert moved == args.rows, moved
    print(
        f"{'migration 0005 move(), set-based by id ranges':<48} {args.rows / seconds:10,.0f} "
        f"rows/s  ({seconds:.2f} s)  [{load()}]",
        flush=True,
    )
    print(f"ratio move/floor: {floor / seconds:.3f}", flush=True)
    if args.row_path:
        # The shape before (batches of 1,000 through the ORM) on the first rows, then
        # the set-based move again so the second run below finds everything moved.
        with transaction.atomic():
            migration.unmove(apps, None)
        first = list(LabResult.objects.order_by("pk")[: args.row_path])
        started = time.perf_counter()
        with transaction.atomic():
            for n in range(0, len(first), migration.BATCH):
                migration._move_rows(Sample, first[n : n + migration.BATCH])
        slow = time.perf_counter() - started
        print(
            f"{'row-by-row path (before), batches of 1,000':<48} "
            f"{len(first) / slow:10,.0f} rows/s  ({len(first):,} rows, {slow:.2f} s)  "
            f"[{load()}]",
            flush=True,
        )
        print(f"set-based/row-by-row: {(args.rows / seconds) / (len(first) / slow):.1f}")
        with transaction.atomic():
            migration.move(apps, None)
    started = time.perf_counter()
    with transaction.atomic():
        migration.move(apps, None)
    again = time.perf_counter() - started
    print(
        f"{'a second run (everything already moved)':<48} {args.rows / again:10,.0f} "
        f"rows/s  ({again:.2f} s)  [{load()}]",
        flush=True,
    )
    with transaction.atomic():
        migration.unmove(apps, None)
    LabResult.objects.all().delete()
    Sample.objects.filter(barcode__startswith="MV-").delete()


if __name__ == "__main__":
    main()
