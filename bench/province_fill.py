"""What the province code costs the bulk paths (issue 17, geo.province).

Loads the same synthetic people (the demo's generator, Thanh Hóa) into people_person
through the platform's bulk path (COPY, indexes rebuilt after) with the province triggers
on INSERT (since people 0006: the fill of an empty code and the statement check; the
loader writes the codes) and, as the same-run baseline, with them disabled, alternating
ROUNDS times; then times the batched backfill (`manage.py fill_province`'s) over the
loaded rows from blank codes.

    .venv/bin/python bench/province_fill.py [--scale 0.05] [--rounds 3]

Database: phongdich_bench_h7_fill (BENCH_FILL_DATABASE_URL), migrated at every run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_FILL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/phongdich_bench_h7_fill"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    common.django_setup(DB_URL)

    from django.core.management import call_command
    from django.db import connection

    from phongdich.demo.loader import bulk_load_people
    from phongdich.demo.services import PROVINCE_CODE, assign_populations
    from phongdich.demo.synthetic import PeopleGenerator
    from phongdich.geo import province as codes
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load

    call_command("migrate", verbosity=0)
    geography_load(dataset="2021", province=PROVINCE_CODE)
    top = AdminUnit.objects.get(code=PROVINCE_CODE)
    assign_populations(1, top)
    communes = list(AdminUnit.objects.filter(path__startswith=top.path, kind="commune"))
    generator = PeopleGenerator(1, top.code)
    rows = [r for c in communes for r in generator.people(c.pk, round(c.population * args.scale))]
    n = len(rows)
    print(f"{n:,} people, {len(communes)} communes; {os.getloadavg()[0]:.1f} load")

    def load(trigger: bool) -> float:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE people_person CASCADE")
            state = "ENABLE" if trigger else "DISABLE"
            # people 0006: on INSERT the fill (only of an empty code: the loader writes
            # it) and the statement check; the UPDATE trigger keeps the old name.
            for trigger_name in ("people_person_province_ins", "people_person_province_check"):
                cursor.execute(f"ALTER TABLE people_person {state} TRIGGER {trigger_name}")
        started = time.perf_counter()
        bulk_load_people(iter(rows), rebuild_indexes=True)
        return time.perf_counter() - started

    times = {True: [], False: []}
    for _ in range(args.rounds):
        for trigger in (False, True):
            times[trigger].append(load(trigger))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_person WHERE province = %s", [PROVINCE_CODE])
        (filled,) = cursor.fetchone()
    assert filled == n, (filled, n)  # the last load ran with the trigger
    off, on = statistics.median(times[False]), statistics.median(times[True])
    print(f"COPY without the trigger (baseline): {n / off:>9,.0f} people/s ({off:.2f} s)")
    print(f"COPY with the province trigger:      {n / on:>9,.0f} people/s ({on:.2f} s)")
    print(f"ratio with/without (time): {on / off:.2f}")

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE people_person DISABLE TRIGGER people_person_province")
        cursor.execute("UPDATE people_person SET province = ''")
        cursor.execute("ALTER TABLE people_person ENABLE TRIGGER people_person_province")
    started = time.perf_counter()
    changed = codes.backfill(codes.PEOPLE)
    backfill_s = time.perf_counter() - started
    print(f"backfill of {changed:,} rows: {backfill_s:.2f} s ({changed / backfill_s:,.0f} rows/s)")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE people_person ENABLE TRIGGER people_person_province")


if __name__ == "__main__":
    main()
