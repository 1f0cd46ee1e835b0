"""The province bed board and the supplies board, server-side, with every facility and
stock place of the demo.

Builds (once) the PostgreSQL database pd_bench_facilities with the real Thanh Hóa geography,
the demo users, the facilities demo (every district's tier-1 site, the hospitals, the
intensive-care centre, ~1,600 stays over 14 days) and the supplies demo, then adds
--stays more closed and open stays (default 20,000; --quick 2,000) and --entries more
ledger entries (default 20,000; --quick 2,000) spread over the places, so the trend and the
balances read a province's worth of rows. Renders each page in-process through Django's
test client (full middleware and templates, no network), N times, and prints p50/p95/max
and the query count, against /api/ping in the same run.

    .venv/bin/python bench/facilities_boards.py [--quick]
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = common.PG_URL.rsplit("/", 1)[0] + "/pd_bench_facilities"


def prepare(stays: int, entries: int):
    common.django_setup(DB_URL)
    from django.core.management import call_command
    from django.utils import timezone

    from phongdich.demo.services import assign_populations, create_users, demo_places
    from phongdich.facilities import demo as facilities_demo
    from phongdich.facilities.models import Facility, Stay
    from phongdich.geo.services import geography_load
    from phongdich.supplies import demo as supplies_demo
    from phongdich.supplies.models import Item, Place, StockEntry

    call_command("migrate", verbosity=0)
    geography_load(dataset="2021", province="38")
    places = demo_places()
    assign_populations(1, places.province)
    users = create_users(places)
    quiet = lambda *a: None  # noqa: E731
    facilities_demo.build(seed=1, scale=1, province=places.province, users=users, log=quiet)
    supplies_demo.build(seed=1, scale=1, province=places.province, users=users, log=quiet)
    # A province's worth of stock places: every commune's health station and every district's
    # warehouse keep a ledger, not only the demo's handful of places.
    from phongdich.geo.models import AdminUnit

    have_places = set(Place.objects.values_list("unit_id", "kind"))
    extra = []
    for unit in AdminUnit.objects.filter(
        kind__in=["district", "commune"], path__startswith=places.province.path
    ).only("pk", "name", "kind"):
        kind = (
            Place.Kind.DISTRICT_WAREHOUSE if unit.kind == "district" else Place.Kind.COMMUNE_STATION
        )
        if (unit.pk, kind) not in have_places:
            extra.append(Place(kind=kind, name=f"Kho {unit.name}"[:200], unit=unit))
    Place.objects.bulk_create(extra, batch_size=2000)
    rng = random.Random(5)
    now = timezone.now()
    have = Stay.objects.count()
    if have < stays:
        sites = list(Facility.objects.filter(is_active=True).values_list("pk", flat=True))
        rows = []
        for _ in range(stays - have):
            admitted = now - timedelta(hours=rng.randrange(14 * 24))
            left = admitted + timedelta(hours=rng.randrange(24, 240))
            rows.append(
                Stay(
                    facility_id=rng.choice(sites),
                    bed_type=rng.choice(["regular", "oxygen"]),
                    admitted_at=admitted,
                    discharged_at=left if left < now else None,
                )
            )
        Stay.objects.bulk_create(rows, batch_size=5000)
    have = StockEntry.objects.count()
    if have < entries:
        place_ids = list(Place.objects.values_list("pk", flat=True))
        item_ids = list(Item.objects.values_list("pk", flat=True))
        StockEntry.objects.bulk_create(
            [
                StockEntry(
                    place_id=rng.choice(place_ids),
                    item_id=rng.choice(item_ids),
                    kind=rng.choice(["receipt", "issue"]),
                    quantity=rng.randrange(-50, 200),
                    occurred_at=now - timedelta(hours=rng.randrange(30 * 24)),
                )
                for _ in range(entries - have)
            ],
            batch_size=5000,
        )
    # The rows above bypass the ledger's service, so their kept balances are summed here,
    # as the migration that introduced them did.
    from django.db.models import Sum

    from phongdich.supplies.models import StockBalance

    StockBalance.objects.all().delete()
    StockBalance.objects.bulk_create(
        [
            StockBalance(place_id=r["place_id"], item_id=r["item_id"], quantity=r["total"])
            for r in StockEntry.objects.values("place_id", "item_id")
            .annotate(total=Sum("quantity"))
            .order_by()
        ],
        batch_size=2000,
    )
    print(
        f"  {Facility.objects.count()} facilities, {Stay.objects.count():,} stays, "
        f"{Place.objects.count()} stock places, {StockEntry.objects.count():,} ledger entries"
    )
    return users["soyte"]


def measure(client, path: str, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm the caches of templates and translations
    samples = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    return statistics.median(samples), p95, samples[-1], len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    stays, entries, runs = (2_000, 2_000, 20) if args.quick else (20_000, 100_000, 60)
    officer = prepare(stays, entries)
    from django.test import Client

    client = Client()
    client.force_login(officer)
    print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    baseline = None
    for path in ("/api/ping", "/facilities/board/", "/supplies/", "/facilities/plans/"):
        p50, p95, worst, queries = measure(client, path, runs)
        baseline = baseline or p50
        print(f"{path:<28} {p50:8.1f} {p95:8.1f} {worst:8.1f} {queries:8d}   ×{p50 / baseline:.1f}")


if __name__ == "__main__":
    main()
