"""The committee's dashboard and briefing at province scale, server-side.

Builds (once) the PostgreSQL database pd_bench_dashboard with the real Thanh Hóa geography
(559 communes, 27 districts) and the demo users, then writes --days days (default 90;
--quick 30) of every dashboard figure for every commune as DailyCount rows and rolls each
day up the unit tree with the refresh job's own `_roll_up` (timed: the job's added cost).
Renders the dashboard for the province (30 and 90 days) and for a district through
Django's test client (full middleware and templates), N times, and prints p50/p95/max and
the query count against /api/ping in the same run; then drafts a one-day and a 30-day
briefing and renders its PDF, DOCX and XLSX, timed.

    .venv/bin/python bench/dashboard.py [--quick]
"""

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
from facilities_boards import measure  # noqa: E402

DB_URL = common.PG_URL.rsplit("/", 1)[0] + "/pd_bench_dashboard"


def prepare(days: int):
    common.django_setup(DB_URL)
    from django.core.management import call_command
    from django.utils import timezone

    from phongdich.demo.services import assign_populations, create_users, demo_places
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load
    from phongdich.stats.metrics import active_metrics
    from phongdich.stats.models import DailyCount, UnitFigure
    from phongdich.stats.services import _roll_up

    call_command("migrate", verbosity=0)
    geography_load(dataset="2021", province="38")
    places = demo_places()
    assign_populations(1, places.province)
    users = create_users(places)
    today = timezone.localdate()
    codes = [m.code for m in active_metrics()]
    communes = list(
        AdminUnit.objects.filter(path__startswith=places.province.path, kind="commune").values_list(
            "pk", flat=True
        )
    )
    rng = random.Random(7)
    rollup_ms = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        if UnitFigure.objects.filter(day=day).exists():
            continue
        DailyCount.objects.filter(day=day).delete()
        DailyCount.objects.bulk_create(
            [
                DailyCount(day=day, unit_id=unit_id, metric=code, value=rng.randrange(1, 60))
                for unit_id in communes
                for code in codes
            ],
            batch_size=10_000,
        )
        started = time.perf_counter()
        _roll_up(day, codes)
        rollup_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"  {len(communes)} communes, {len(codes)} figures, {days} days: "
        f"{DailyCount.objects.count():,} commune rows, {UnitFigure.objects.count():,} rolled up"
    )
    if rollup_ms:
        rollup_ms.sort()
        print(f"  roll-up of one day: p50 {rollup_ms[len(rollup_ms) // 2]:.0f} ms")
    district = AdminUnit.objects.filter(parent=places.province).order_by("code").first()
    return users["bcd"], places.province, district


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    days, runs = (30, 20) if args.quick else (90, 60)
    member, province, district = prepare(days)
    from django.test import Client
    from django.utils import timezone

    from phongdich.reports import render
    from phongdich.reports.services import briefing_create

    client = Client()
    client.force_login(member)
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    baseline = None
    for path in (
        "/api/ping",
        "/stats/dashboard/",
        "/stats/dashboard/?days=90",
        f"/stats/dashboard/u/{district.code}/",
        "/home/",
    ):
        p50, p95, worst, queries = measure(client, path, runs)
        baseline = baseline or p50
        print(f"{path:<36} {p50:8.1f} {p95:8.1f} {worst:8.1f} {queries:8d}   ×{p50 / baseline:.1f}")
    today = timezone.localdate()
    for label, first in (("one day", today), ("30 days", today - timedelta(days=29))):
        started = time.perf_counter()
        briefing = briefing_create(by=member, unit=province, day_from=first, day_to=today)
        drafted = time.perf_counter() - started
        timings = []
        for paper in (render.to_pdf, render.to_docx, render.to_xlsx):
            started = time.perf_counter()
            paper(briefing.content)
            timings.append(time.perf_counter() - started)
        print(
            f"briefing, {label}: drafted {drafted * 1000:.0f} ms; PDF {timings[0]:.2f} s, "
            f"DOCX {timings[1]:.2f} s, XLSX {timings[2]:.2f} s"
        )


if __name__ == "__main__":
    main()
