"""The coverage refresh for every unit of the province for one day, on PostgreSQL: the
set-based refresh (`coverage.coverage_refresh`, one INSERT … SELECT rolling up in SQL)
against the former way (the groups fetched and summed up the unit tree in Python, then
written by bulk_create: `coverage.coverage_totals_in_python` + the writes), in one run.

Builds Thanh Hóa's 2021 geography (every commune), `--people` synthetic residents (COPY)
and their doses set-based in SQL (not measured): about 93 % with two Pfizer doses, a third
of those with a booster, a few per cent with none; ages 0–90; 3 % with a risk flag. Then
measures, `--runs` times each, alternating:

  - baseline: the doses reduced to one row per person alone (the hash aggregate both ways
    share: what no refresh can avoid);
  - before: the former refresh (fetch the groups, sum in Python, delete, bulk_create);
  - after: `coverage_refresh`.

    .venv/bin/python bench/vaccination_coverage.py [--people 250000] [--runs 3] [--reuse]

Database: phongdich_bench_h2_coverage (BENCH_VACCINATION_COVERAGE_DATABASE_URL); rebuilt
unless --reuse. The load average is printed beside every figure (the machine is shared).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_VACCINATION_COVERAGE_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/phongdich_bench_h2_coverage",
)
DAY = date(2022, 3, 1)


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def recreate_database() -> None:
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build(people: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from phongdich.geo.models import AdminUnit
    from phongdich.vaccination import services

    call_command("migrate", verbosity=0)
    call_command("load_geography", dataset="2021", province="38", verbosity=0)
    services.policy_seed_if_empty()
    province = AdminUnit.objects.get(code="38")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # People spread over the province's communes, born 1932–2022.
        cursor.execute(
            """
            WITH c AS (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n, COUNT(*) OVER () AS total
                FROM geo_adminunit WHERE kind = 'commune' AND path LIKE %s
            )
            INSERT INTO people_person (full_name, name_key, given_key, birth_year, sex,
                                       id_number, claimed_id_number, phone, address,
                                       commune_id, created_at, updated_at)
            SELECT 'Nguoi ' || i, 'nguoi ' || i, i::text, 1932 + (i * 7919) %% 91, 'M',
                   '038' || lpad(i::text, 9, '0'), '', '', '', c.id, now(), now()
            FROM generate_series(0, %s - 1) i
            JOIN c ON c.n = i %% c.total
            """,
            [province.path + "%", people],
        )
        pfizer = services.VaccineProduct.objects.get(code="pfizer").pk
        # Dose 1 (and 2, 28 days later) for 93 %, a booster for a third of them; the
        # 5–11 group only its first dose.
        for number, kind, offset, share in (
            (1, "primary", 0, "i %% 100 < 93"),
            (2, "primary", 28, "i %% 100 < 93 AND birth_year <= 2010"),
            (3, "booster", 180, "i %% 3 = 0 AND i %% 100 < 93 AND birth_year <= 2004"),
        ):
            cursor.execute(
                f"""
                INSERT INTO vaccination_dose (person_id, product_id, dose_number, kind,
                       given_on, site_kind, site_name, lot, source, source_id, flags,
                       created_at)
                SELECT id, %s, %s, %s, DATE '2021-07-01' + CAST(id %% 120 AS INTEGER) + CAST(%s AS INTEGER),
                       'fixed', '', '', 'import', 'B' || id || '-' || %s, '', now()
                FROM (SELECT id, id AS i, birth_year FROM people_person) p
                WHERE {share} AND DATE '2021-07-01' + CAST(id %% 120 AS INTEGER) + CAST(%s AS INTEGER) <= DATE '2022-03-01'
                """,
                [pfizer, number, kind, offset, number, offset],
            )
        cursor.execute(
            """
            INSERT INTO vaccination_riskflag (person_id, "group", enterprise, source, since,
                                              created_at)
            SELECT id, CASE WHEN id %% 2 = 0 THEN 'comorbid' ELSE 'teacher' END, '',
                   'bench', DATE '2021-01-01', now()
            FROM people_person WHERE id %% 33 = 0
            """,
            [],
        )
        cursor.execute("ANALYZE")
    print(f"built {people:,} people and their doses in {time.perf_counter() - started:.1f} s")


def former_refresh(province) -> int:
    """The refresh as it was before the set-based SQL: fetch, sum in Python, bulk_create."""
    from django.db import transaction

    from phongdich.geo.models import AdminUnit
    from phongdich.vaccination import coverage
    from phongdich.vaccination.models import CoverageFigure

    with transaction.atomic():
        totals = coverage.coverage_totals_in_python(DAY, province)
        units = AdminUnit.objects.filter(path__startswith=province.path)
        CoverageFigure.objects.filter(day=DAY, unit__in=units).delete()
        rows = [
            CoverageFigure(
                unit_id=unit_id, day=DAY, band=band, population=v[0], at_least_one=v[1],
                full=v[2], boosted=v[3],
            )
            for (unit_id, band), v in totals.items()
        ]  # fmt: skip
        CoverageFigure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def reduction_alone() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT COUNT(*) FROM (
                   SELECT d.person_id, MIN(d.given_on) FROM vaccination_dose d
                   JOIN vaccination_vaccineproduct v ON v.id = d.product_id
                   WHERE d.given_on <= %s GROUP BY d.person_id) s""",
            [DAY],
        )
        return cursor.fetchone()[0]


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not args.reuse:
        recreate_database()
    common.django_setup(DB_URL)
    from phongdich.geo.models import AdminUnit
    from phongdich.vaccination import coverage
    from phongdich.vaccination.models import CoverageFigure, Dose

    if not args.reuse:
        build(args.people)
    province = AdminUnit.objects.get(code="38")
    print(f"{Dose.objects.count():,} doses; {AdminUnit.objects.count()} units ({load()})")
    times = {"baseline": [], "before": [], "after": []}
    for _run in range(args.runs):
        for name, function in (
            ("baseline", reduction_alone),
            ("before", lambda: former_refresh(province)),
            ("after", lambda: coverage.coverage_refresh(day=DAY, province=province)),
        ):
            seconds, result = timed(function)
            times[name].append(seconds)
            print(f"  {name:8s} {seconds:6.2f} s -> {result:,} ({load()})")
    before = {
        (f.unit_id, f.band): (f.population, f.at_least_one, f.full, f.boosted)
        for f in CoverageFigure.objects.filter(day=DAY)
    }
    former_refresh(province)
    same = all(
        before.get((f.unit_id, f.band)) == (f.population, f.at_least_one, f.full, f.boosted)
        for f in CoverageFigure.objects.filter(day=DAY)
    )
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"baseline (doses reduced per person alone): {median['baseline']:.2f} s median")
    print(f"before (sum in Python, bulk_create):       {median['before']:.2f} s median")
    print(f"after (coverage_refresh, set-based SQL):   {median['after']:.2f} s median")
    print(
        f"after/before {median['after'] / median['before']:.2f}; "
        f"after/baseline {median['after'] / median['baseline']:.2f}; same figures: {same}"
    )


if __name__ == "__main__":
    main()
