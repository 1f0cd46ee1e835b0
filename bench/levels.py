"""Epidemic levels at province scale (PostgreSQL): one day's assessment of every unit, a
year of daily history, and the level map page.

Builds (once) the database pd_bench_levels with the real Thanh Hóa geography of 2021 (559
communes, 27 districts, the province: 587 units), the demo's scale-1 populations and users,
and --days + 14 days of the figures the engine reads (new community cases, PCR deaths,
free oxygen and ICU beds) for every unit, written with COPY. Then measures:

- one day's assessment (`services.levels_assess`: read, assess, store), median of 5, against
  the read of its inputs alone (`compute_inputs`) in the same run;
- a year of daily history with the set-based backfill (`history.levels_history`: one read,
  COPY of the rows), against the daily assessment run day by day over 10 days and scaled to
  the year (what the history cost before the backfill);
- the level map of communes and of districts through Django's test client (full middleware
  and templates), p50/p95/max and query count against /api/ping, first with centroid points
  only, then with an imported outline of 200 positions for every commune and district.

Each figure is printed with the load average, since the machine is shared.

    .venv/bin/python bench/levels.py [--quick]
"""

import argparse
import math
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from facilities_boards import measure  # noqa: E402

# BENCH_LEVELS_DB names the database, so that parallel runs do not share one.
DB_URL = (
    common.PG_URL.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_LEVELS_DB", "pd_bench_levels")
)
METRICS = (
    "cases.new_community",
    "cases.deaths_pcr",
    "facilities.free_oxygen",
    "facilities.free_icu",
)


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def prepare(days: int):
    common.django_setup(DB_URL)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from phongdich.demo.services import assign_populations, create_users, demo_places
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load
    from phongdich.stats.models import UnitFigure

    call_command("migrate", verbosity=0)
    geography_load(dataset="2021", province="38")
    places = demo_places()
    assign_populations(1, places.province)
    users = create_users(places)
    today = timezone.localdate()
    first = today - timedelta(days=days + 14)
    units = list(AdminUnit.objects.filter(path__startswith=places.province.path))
    have = UnitFigure.objects.filter(day=first, metric=METRICS[0]).count()
    if have < len(units):
        UnitFigure.objects.filter(metric__in=METRICS).delete()
        rng = random.Random(7)
        started = time.perf_counter()
        n = 0
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY stats_unitfigure (day, unit_id, metric, value) FROM STDIN"
            ) as copy:
                for unit in units:
                    scale = {"commune": 1, "district": 20, "province": 560}[unit.kind]
                    for offset in range(days + 15):
                        day = first + timedelta(days=offset)
                        for metric, top in zip(METRICS, (12, 1, 30, 3), strict=True):
                            copy.write_row(
                                (day, unit.pk, metric, rng.randrange(0, top + 1) * scale)
                            )
                            n += 1
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE stats_unitfigure")
        print(f"  wrote {n:,} unit figures with COPY in {time.perf_counter() - started:.1f} s")
    print(f"  {len(units)} units, {days} days of history asked")
    return users["soyte"], users["bcd"], places.province, units, today


def shapes_for_all(units, points: int = 200):
    """An outline of `points` positions (a circle) around each unit's centroid."""
    from phongdich.levels.centroids import centroids
    from phongdich.levels.models import UnitShape
    from phongdich.levels.simplify import positions, simplify_geometry

    where = centroids()
    rows = []
    for unit in units:
        if unit.kind == "province" or unit.code not in where:
            continue
        lat, lon = where[unit.code]
        r = 0.02 if unit.kind == "commune" else 0.08
        ring = [
            [
                round(lon + r * math.cos(2 * math.pi * i / (points - 1)), 5),
                round(lat + r * math.sin(2 * math.pi * i / (points - 1)), 5),
            ]
            for i in range(points - 1)
        ]
        ring.append(ring[0])
        geometry = {"type": "Polygon", "coordinates": [ring]}
        # As the import stores it: the geometry and its simplified outline (simplify.py).
        simplified = simplify_geometry(geometry)
        rows.append(
            UnitShape(
                unit=unit,
                geometry=geometry,
                points=points,
                simplified=simplified,
                simplified_points=positions(simplified),
            )
        )
    UnitShape.objects.all().delete()
    UnitShape.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    days, runs = (90, 20) if args.quick else (365, 40)
    officer, member, province, units, today = prepare(days)
    from django.test import Client

    from phongdich.levels import history, services
    from phongdich.levels.models import Assessment, UnitShape
    from phongdich.levels.thresholds import rules_in_force

    # 1. one day
    rs = rules_in_force(today)
    reads, full = [], []
    for _ in range(5):
        started = time.perf_counter()
        services.compute_inputs(units, today, rs)
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        services.levels_assess(by=None, day=today, province=province)
        full.append(time.perf_counter() - started)
    reads.sort()
    full.sort()
    print(
        f"one day, {len(units)} units: assess+store p50 {full[2] * 1000:.0f} ms "
        f"(inputs read alone {reads[2] * 1000:.0f} ms, ×{full[2] / reads[2]:.1f}) [{load()}]"
    )
    # 2. a year of history
    first = today - timedelta(days=days - 1)
    Assessment.objects.all().delete()
    started = time.perf_counter()
    for offset in range(10):
        services.levels_assess(by=None, day=first + timedelta(days=offset), province=province)
    per_day = (time.perf_counter() - started) / 10
    print(
        f"day by day (old way): {per_day:.2f} s/day → {per_day * days:.0f} s for {days} days "
        f"(measured over 10 days) [{load()}]"
    )
    Assessment.objects.all().delete()
    started = time.perf_counter()
    n = history.levels_history(by=None, first=first, last=today, province=province)
    took = time.perf_counter() - started
    print(
        f"history backfill: {n:,} assessments ({days} days × {len(units)} units) in {took:.1f} s "
        f"(×{per_day * days / took:.1f} faster than day by day; goal < 60 s) [{load()}]"
    )
    # 3. the map
    client = Client()
    client.force_login(member)
    print(f"{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    baseline = None
    UnitShape.objects.all().delete()
    paths = ("/api/ping", "/levels/map/", "/levels/map/?kind=district", "/levels/public/")
    for label, setup in (("points", None), ("outlines of 200 positions", shapes_for_all)):
        if setup:
            print(f"  with {setup(units)} {label}:")
        for path in paths if not setup else paths[1:]:
            p50, p95, worst, queries = measure(client, path, runs)
            baseline = baseline or p50
            print(
                f"{path:<40} {p50:8.1f} {p95:8.1f} {worst:8.1f} {queries:8d}   "
                f"×{p50 / baseline:.1f} [{load()}]"
            )


if __name__ == "__main__":
    main()
