"""Name search latency over a million people, on PostgreSQL and SQLite.

Loads N synthetic people (default 1,000,000) with the demo's bulk path into a fresh
database per engine, then times `person_search` (what the search page and API call) for
name queries without diacritics, given names and phone numbers, and, as the same-run
baseline, an exact CCCD lookup (one unique-index probe). Prints p50/p95/p99 and ratios.

    .venv/bin/python bench/name_search.py [--people 1000000] [--queries 400] [--engine both]
"""

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def run_engine(database_url: str, people: int, queries: int) -> None:
    common.django_setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    from phongdich.accounts.models import Role, User
    from phongdich.demo.loader import bulk_load_people
    from phongdich.demo.services import PROVINCE_CODE, assign_populations
    from phongdich.demo.synthetic import PeopleGenerator
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load
    from phongdich.people.models import Person
    from phongdich.people.selectors import person_search

    call_command("migrate", verbosity=0)
    geography_load(dataset="2021", province=PROVINCE_CODE)
    province = AdminUnit.objects.get(code=PROVINCE_CODE)
    if Person.objects.count() != people:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM people_person")
        assign_populations(1, province)
        communes = list(
            AdminUnit.objects.filter(path__startswith=province.path, kind="commune").order_by(
                "code"
            )
        )
        scale = people / province.population
        generator = PeopleGenerator(1, province.code)
        started = time.perf_counter()
        loaded = bulk_load_people(
            r for c in communes for r in generator.people(c.pk, round(c.population * scale))
        )
        print(f"  loaded {loaded:,} people in {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE people_person")
    user = User.objects.filter(username="bench").first() or User.objects.create(
        username="bench", role=Role.PROVINCE_ADMIN, jurisdiction=province
    )
    rng = random.Random(7)
    sample = list(
        Person.objects.order_by("?").values_list("name_key", "given_key", "phone", "id_number")[
            :queries
        ]
    )
    cases = {
        "full name, no diacritics": [s[0] for s in sample],
        "family + middle prefix": [" ".join(s[0].split()[:2]) for s in sample],
        "given name only": [s[1] for s in sample],
        "phone": ["0" + s[2][3:] for s in sample if s[2]],
    }
    baseline = [s[3] for s in sample if s[3]]

    def timed(values):
        out = []
        for v in values:
            started = time.perf_counter()
            person_search(user, v)
            out.append((time.perf_counter() - started) * 1000)
        return out

    timed(baseline[:20])  # warm caches
    base = common.percentiles(timed(baseline))
    print(
        f"  {'exact CCCD (baseline)':<28} p50 {base[0]:7.2f} ms  p95 {base[1]:7.2f} ms  "
        f"p99 {base[2]:7.2f} ms"
    )
    for label, values in cases.items():
        rng.shuffle(values)
        p50, p95, p99 = common.percentiles(timed(values))
        print(
            f"  {label:<28} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  p99 {p99:7.2f} ms  "
            f"(p50 x{p50 / base[0]:.1f} baseline)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--engine", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_engine(args.child, args.people, args.queries)
        return
    urls = {
        "postgresql": "postgres://postgres@127.0.0.1:5432/phongdich_bench_search",
        "sqlite": f"sqlite:///{ROOT / 'bench' / 'results' / 'search.sqlite3'}",
    }
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    for engine in ["postgresql", "sqlite"] if args.engine == "both" else [args.engine]:
        print(f"{engine}: person_search over {args.people:,} people")
        # One process per engine: Django binds its settings once.
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                urls[engine],
                "--people",
                str(args.people),
                "--queries",
                str(args.queries),
            ],
            check=True,
            env={**os.environ},
        )


if __name__ == "__main__":
    main()
