"""The coverage refresh for every unit of the province for one day, on PostgreSQL: the
refresh reading the per-person summary (`coverage.coverage_refresh` over
`PersonStatus`) against the former refresh reducing the doses (the same INSERT … SELECT
with the doses-to-person reduction in place of the summary), in one run.

Builds Thanh Hóa's 2021 geography (every commune), `--people` synthetic residents and their
doses set-based in SQL (generate_series; not measured): 93 % with a first Pfizer dose, the
12+ of those a second 28 days later, half of the 18+ of those a booster 180 days later
(7.7 million doses at the default 3.64 million people, scale 1); ages 0–90; 3 % with a risk
flag. The summary is then built by `person_status.refresh_all()` (timed: the backfill's
cost). Then measures, `--runs` times each, alternating:

  - baseline: the doses reduced to one row per person alone (what the former refresh
    paid before grouping anything);
  - before: the former refresh (doses reduced in the statement);
  - after: `coverage_refresh` (the summary counted).

and the cost the summary adds to one staff-entered dose (`services._dose_for`): queries and
milliseconds with the summary's signal connected and disconnected, 50 doses each.

    .venv/bin/python bench/vaccination_coverage.py [--people 3640000] [--runs 3] [--reuse]

Database: phongdich_h2_bench_coverage (BENCH_VACCINATION_COVERAGE_DATABASE_URL); rebuilt
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
    "postgres://postgres@127.0.0.1:5432/phongdich_h2_bench_coverage",
)
DAY = date(2022, 3, 1)


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def recreate_database() -> None:
    common.recreate_database(DB_URL)


def build(people: int, resume: bool = False) -> None:
    """`resume`: the database is migrated (an earlier run was stopped); the people are
    made unless there, the doses, flags and summary again."""
    from django.core.management import call_command
    from django.db import connection

    from phongdich.geo.models import AdminUnit
    from phongdich.people.models import Person
    from phongdich.vaccination import services

    if not resume:
        call_command("migrate", verbosity=0)
        call_command("load_geography", dataset="2021", province="38", verbosity=0)
        services.policy_seed_if_empty()
    province = AdminUnit.objects.get(code="38")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if resume:
            for table in ("vaccination_personstatus", "vaccination_riskflag", "vaccination_dose"):
                cursor.execute(f"DELETE FROM {table}")
        # Generated rows are consistent by construction: the foreign-key triggers (two
        # lookups per dose row) are skipped for the load (superuser, this session only).
        cursor.execute("SET session_replication_role = replica")
        # People spread over the province's communes, born 1932–2022.
        cursor.execute(
            """
            WITH c AS (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n
                FROM geo_adminunit WHERE kind = 'commune' AND path LIKE %s
            ),
            t AS (SELECT COUNT(*) AS total FROM c)
            INSERT INTO people_person (full_name, name_key, given_key, birth_year, sex,
                                       id_number, claimed_id_number, phone, address,
                                       commune_id, created_at, updated_at)
            SELECT 'Nguoi ' || i, 'nguoi ' || i, i::text, 1932 + CAST((CAST(i AS BIGINT) * 7919) %% 91 AS INTEGER), 'M',
                   '038' || lpad(i::text, 9, '0'), '', '', '', c.id, now(), now()
            FROM generate_series(0, %s - 1) i CROSS JOIN t
            JOIN c ON c.n = i %% t.total  -- t.total, not c's: a hash join, not 3.6M x 587
            """
            if not (resume and Person.objects.exists())
            else "SELECT %s, %s",
            [province.path + "%", people],
        )
        pfizer = services.VaccineProduct.objects.get(code="pfizer").pk
        # Dose 1 for 93 %, dose 2 28 days later for the 12+ of them, a booster 180 days
        # later for half of the 18+ of them; doses run past DAY (a past day is counted).
        for number, kind, offset, share in (
            (1, "primary", 0, "i %% 100 < 93"),
            (2, "primary", 28, "i %% 100 < 93 AND birth_year <= 2010"),
            (3, "booster", 180, "i %% 2 = 0 AND i %% 100 < 93 AND birth_year <= 2004"),
        ):
            cursor.execute(
                f"""
                INSERT INTO vaccination_dose (person_id, product_id, dose_number, kind,
                       given_on, site_kind, site_name, lot, source, source_id, flags,
                       created_at, province)
                SELECT id, %s, %s, %s,
                       DATE '2021-07-01' + CAST(id %% 120 AS INTEGER) + CAST(%s AS INTEGER),
                       'fixed', '', '', 'import', 'B' || id || '-' || %s, '', now(), province
                FROM (SELECT id, id AS i, birth_year, province FROM people_person) p
                WHERE {share}
                """,
                [pfizer, number, kind, offset, number],
            )
            print(f"  doses {number}: {time.perf_counter() - started:.0f} s", flush=True)
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
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    print(f"built {people:,} people and their doses in {time.perf_counter() - started:.1f} s")
    from phongdich.vaccination import person_status

    seconds, written = timed(person_status.refresh_all)
    print(f"summary built (refresh_all, the backfill): {written:,} rows in {seconds:.1f} s")
    seconds, written = timed(person_status.refresh_all)
    print(
        f"refresh_all again (the daily reconciliation, nothing drifted): {written:,} rows "
        f"in {seconds:.1f} s ({load()})"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE vaccination_personstatus")


# The former statement's first CTEs: the doses reduced per person in the statement, joined
# to people; everything after the groups (bands, rollup, official population) is shared.
FROM_DOSES = """
        WITH s AS (
            SELECT d.person_id, MIN(d.given_on) AS first_on,
                   MIN(CASE WHEN d.kind = %s AND d.dose_number >= v.primary_doses
                            THEN d.given_on END) AS full_on,
                   MIN(CASE WHEN d.kind = %s THEN d.given_on END) AS boost_on
            FROM vaccination_dose d JOIN vaccination_vaccineproduct v ON v.id = d.product_id
            WHERE d.given_on <= %s
            GROUP BY d.person_id
        ),
        g AS MATERIALIZED (
            SELECT p.commune_id, %s - p.birth_year AS age, COALESCE(r.mask, 0) AS mask,
                   COUNT(*) AS people,
                   SUM(CASE WHEN s.first_on IS NOT NULL THEN 1 ELSE 0 END) AS one,
                   SUM(CASE WHEN s.full_on <= %s THEN 1 ELSE 0 END) AS fully,
                   SUM(CASE WHEN s.full_on <= %s AND s.boost_on IS NOT NULL
                            THEN 1 ELSE 0 END) AS boosted
            FROM people_person p
            JOIN geo_adminunit u ON u.id = p.commune_id
            LEFT JOIN s ON s.person_id = p.id
            LEFT JOIN ({risk}) r ON r.person_id = p.id
            WHERE p.merged_into_id IS NULL AND u.path LIKE %s
            GROUP BY p.commune_id, p.birth_year, COALESCE(r.mask, 0)
        ),
"""


def former_refresh(province) -> int:
    """The refresh as it was before the summary: the same statement with the doses
    reduced per person inside it (`FROM_DOSES` in place of the summary's groups)."""
    from datetime import timedelta

    from django.db import connection, transaction

    from phongdich.vaccination import coverage, rules
    from phongdich.vaccination.models import CoverageFigure

    sql, params = coverage._refresh_sql(DAY, province)
    shared = sql[sql.index("b (band, kind") :]
    fully_by = DAY - timedelta(days=rules.FULLY_AFTER_DAYS)
    head = [rules.PRIMARY, rules.BOOSTER, DAY, DAY.year, fully_by, fully_by, DAY, DAY]
    head += [province.path + "%"]
    former = FROM_DOSES.format(risk=coverage.risk_mask_sql("vaccination_riskflag")) + shared
    with transaction.atomic():
        rows = CoverageFigure.objects.filter(day=DAY, unit__path__startswith=province.path)
        rows.delete()
        with connection.cursor() as cursor:
            cursor.execute(former, head + params[8:])
            for extra, extra_params in coverage._official_only_sql(DAY, province):
                cursor.execute(extra, extra_params)
        return rows.count()


def dose_write_cost(count: int = 50) -> dict:
    """Queries and ms of one staff-entered dose, with and without the summary's upkeep."""
    from django.db import connection, transaction
    from django.db.models.signals import post_save
    from django.test.utils import CaptureQueriesContext

    from phongdich.people.models import Person
    from phongdich.vaccination import person_status, services
    from phongdich.vaccination.models import Dose, VaccineProduct

    product = VaccineProduct.objects.get(code="pfizer")
    people = list(Person.objects.order_by("-pk").values_list("pk", flat=True)[: 2 * count])
    current = services.policy()
    figures = {}
    for name, connected, chunk in (
        ("with", True, people[:count]),
        ("without", False, people[count:]),
    ):
        if not connected:
            post_save.disconnect(sender=Dose, dispatch_uid="vaccination-status-dose")
        times, queries = [], []
        for pk in chunk:
            person = Person.objects.get(pk=pk)
            dose = services.DoseInput(product=product, dose_number=4, given_on=DAY)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                with transaction.atomic():
                    services._dose_for(by=None, person=person, dose=dose, current=current)
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured.captured_queries))
        if not connected:
            post_save.connect(
                person_status._dose_changed, sender=Dose, dispatch_uid="vaccination-status-dose"
            )
        figures[name] = (statistics.median(times), statistics.median(queries))
    return figures


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


def summary_only(province, runs: int, people: int) -> None:
    """--summary-only (after --resume's migration): the summary rows written straight by
    the generator's formula (the same communes, birth years and dose dates as the people
    and doses `build` makes; no person or dose rows, foreign keys off for the load), then
    only the refresh measured, against the summary grouped alone. The refresh reads no
    person or dose, so its time is the same; for a machine too loaded to write 3.6 million
    people and 8 million doses in the time at hand."""
    from django.db import connection

    from phongdich.vaccination import coverage

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("vaccination_personstatus", "vaccination_riskflag"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """
            WITH c AS (
                SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n
                FROM geo_adminunit WHERE kind = 'commune' AND path LIKE %s
            ),
            t AS (SELECT COUNT(*) AS total FROM c),
            p AS (
                SELECT i AS id, c.id AS commune_id,
                       1932 + CAST((CAST(i AS BIGINT) * 7919) %% 91 AS INTEGER) AS birth_year,
                       DATE '2021-07-01' + CAST(i %% 120 AS INTEGER) AS f
                FROM generate_series(1, %s) i CROSS JOIN t JOIN c ON c.n = i %% t.total
            )
            INSERT INTO vaccination_personstatus (person_id, commune_id, birth_year,
                   birth_date, sex, first_on, complete_on, boosted_on)
            SELECT id, commune_id, birth_year, NULL, 'M',
                   CASE WHEN id %% 100 < 93 THEN f END,
                   CASE WHEN id %% 100 < 93 AND birth_year <= 2010 THEN f + 28 END,
                   CASE WHEN id %% 2 = 0 AND id %% 100 < 93 AND birth_year <= 2004
                        THEN f + 180 END
            FROM p
            """,
            [province.path + "%", people],
        )
        cursor.execute(
            """
            INSERT INTO vaccination_riskflag (person_id, "group", enterprise, source, since,
                                              created_at)
            SELECT person_id, CASE WHEN person_id %% 2 = 0 THEN 'comorbid' ELSE 'teacher' END,
                   '', 'bench', DATE '2021-01-01', now()
            FROM vaccination_personstatus WHERE person_id %% 33 = 0
            """,
            [],
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE vaccination_personstatus")
        cursor.execute("ANALYZE vaccination_riskflag")
        cursor.execute("SELECT COUNT(*) FROM vaccination_personstatus")
        rows = cursor.fetchone()[0]
    print(f"summary by formula: {rows:,} rows in {time.perf_counter() - started:.1f} s")

    def scan_alone():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT commune_id, COUNT(*) FROM vaccination_personstatus GROUP BY commune_id"
            )
            return len(cursor.fetchall())

    times = {"baseline": [], "after": []}
    for _run in range(runs):
        for name, function in (
            ("baseline", scan_alone),
            ("after", lambda: coverage.coverage_refresh(day=DAY, province=province)),
        ):
            seconds, result = timed(function)
            times[name].append(seconds)
            print(f"  {name:8s} {seconds:6.2f} s -> {result:,} ({load()})", flush=True)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"baseline (the summary grouped by commune alone): {median['baseline']:.2f} s median")
    print(f"after (coverage_refresh, the summary):           {median['after']:.2f} s median")
    print(f"after/baseline {median['after'] / median['baseline']:.2f}")


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3_640_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--resume", action="store_true", help="people built, make the rest")
    parser.add_argument("--summary-only", action="store_true", help="with --resume: no doses")
    args = parser.parse_args()
    if not (args.reuse or args.resume):
        recreate_database()
    common.django_setup(DB_URL)
    from phongdich.geo.models import AdminUnit
    from phongdich.vaccination import coverage
    from phongdich.vaccination.models import CoverageFigure, Dose

    if args.summary_only:
        summary_only(AdminUnit.objects.get(code="38"), args.runs, args.people)
        return
    if not args.reuse:
        build(args.people, resume=args.resume)
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
    same = len(before) == CoverageFigure.objects.filter(day=DAY).count() and all(
        before.get((f.unit_id, f.band)) == (f.population, f.at_least_one, f.full, f.boosted)
        for f in CoverageFigure.objects.filter(day=DAY)
    )
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"baseline (doses reduced per person alone): {median['baseline']:.2f} s median")
    print(f"before (doses reduced in the statement):   {median['before']:.2f} s median")
    print(f"after (coverage_refresh, the summary):     {median['after']:.2f} s median")
    print(
        f"after/before {median['after'] / median['before']:.2f}; "
        f"after/baseline {median['after'] / median['baseline']:.2f}; same figures: {same}"
    )
    cost = dose_write_cost()
    for name, (ms, queries) in cost.items():
        print(f"one dose {name} the summary: {ms:.1f} ms median, {queries:.0f} queries ({load()})")


if __name__ == "__main__":
    main()
