"""People load at province scale on PostgreSQL.

Generates the demo's synthetic people for Thanh Hóa (scale 1 = 3,640,128), then loads the
same rows twice: through the platform's bulk path (COPY into people_person, with its
indexes and unique CCCD constraint) and through a raw COPY into a bare table with no index
(the floor no ORM path can beat). Prints people per second and the ratio.

    .venv/bin/python bench/people_load.py [--scale 1] [--database-url postgres://...]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", default=common.PG_URL)
    args = parser.parse_args()
    common.django_setup(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from phongdich.demo.loader import COLUMNS, bulk_load_people
    from phongdich.demo.services import PROVINCE_CODE, assign_populations
    from phongdich.demo.synthetic import PeopleGenerator
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load
    from phongdich.people.models import Person

    call_command("migrate", verbosity=0)
    geography_load(dataset="2021", province=PROVINCE_CODE)
    province = AdminUnit.objects.get(code=PROVINCE_CODE)
    assign_populations(1, province)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_person CASCADE")

    communes = list(
        AdminUnit.objects.filter(path__startswith=province.path, kind="commune").order_by("code")
    )
    started = time.perf_counter()
    generator = PeopleGenerator(1, province.code)
    rows = [r for c in communes for r in generator.people(c.pk, round(c.population * args.scale))]
    generate_s = time.perf_counter() - started
    n = len(rows)
    print(f"generated {n:,} people in {generate_s:.1f} s ({n / generate_s:,.0f}/s)")

    started = time.perf_counter()
    bulk_load_people(iter(rows))
    maintained_s = time.perf_counter() - started
    assert Person.objects.count() == n
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_person CASCADE")
    started = time.perf_counter()
    bulk_load_people(iter(rows), rebuild_indexes=True)
    platform_s = time.perf_counter() - started
    assert Person.objects.count() == n

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_people_bare")
        cursor.execute(
            "CREATE TABLE bench_people_bare (LIKE people_person "
            "INCLUDING DEFAULTS EXCLUDING INDEXES EXCLUDING CONSTRAINTS)"
        )
        cursor.execute("ALTER TABLE bench_people_bare ALTER COLUMN id DROP NOT NULL")
    started = time.perf_counter()
    bulk_load_people(iter(rows), table="bench_people_bare")
    bare_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_people_bare")

    print(f"columns: {', '.join(COLUMNS)}")
    print(
        f"COPY, indexes maintained row by row:       {n / maintained_s:>9,.0f} people/s "
        f"({maintained_s:.1f} s)"
    )
    print(
        f"platform path (COPY, then build indexes): {n / platform_s:>9,.0f} people/s "
        f"({platform_s:.1f} s)"
    )
    print(
        f"floor (raw COPY into a bare table):       {n / bare_s:>9,.0f} people/s ({bare_s:.1f} s)"
    )
    print(f"ratio platform/floor throughput: {bare_s / platform_s:.2f}")
    print(f"end to end incl. generation: {n / (generate_s + platform_s):,.0f} people/s")


if __name__ == "__main__":
    main()
