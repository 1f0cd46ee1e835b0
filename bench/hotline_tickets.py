"""Hotline 1022 at province scale, on PostgreSQL.

1. Ticket creation through the API (POST /api/hotline/tickets with a Bearer token, through
   gunicorn and every middleware: triage, routing, audit, message, event) against the
   trivial /api/ping in the same run: per second, p50/p99 and the ratio.
2. The agent queue with N open tickets (default 50,000) rendered server-side: time per
   page (first page and a deep page), pinned query count, 50 rows per page.

    .venv/bin/python bench/hotline_tickets.py [--quick] [--open 50000] [--creates 1000]
        [--workers 2]

Beside the rates: CPU per request of the gunicorn workers and their PostgreSQL backends
(/proc), and the CPU ratio ping/path, which a shared machine disturbs far less.

--quick: 300 creations and 10,000 open tickets. Database: pd_bench_hotline (override with
BENCH_HOTLINE_DATABASE_URL).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_HOTLINE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pd_bench_hotline"
)
TEXTS = ["Nhà 5 người hết gạo", "F0 ngày 3 hỏi thuốc", "Bố tôi khó thở", "Xin giấy xác nhận"]
CODES = ["food", "f0_advice", "emergency", "admin_procedures", "violation", "cdc"]


def setup(open_target: int):
    common.django_setup(DB_URL)
    from django.core.management import call_command
    from django.db import connection

    from phongdich.accounts.models import Role, User
    from phongdich.accounts.services import api_token_create
    from phongdich.demo.services import PROVINCE_CODE
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load
    from phongdich.hotline import rules, services
    from phongdich.hotline.models import Category, Status, Ticket

    call_command("migrate", verbosity=0)
    geography_load(dataset="2021", province=PROVINCE_CODE)
    province = AdminUnit.objects.get(code=PROVINCE_CODE)
    services.routing_seed_province(by=None, province=province)
    agent = User.objects.filter(username="bench-agent").first() or User.objects.create(
        username="bench-agent", role=Role.HOTLINE_AGENT, jurisdiction=province
    )
    _token, raw = api_token_create(by=agent, name="bench")
    communes = list(
        AdminUnit.objects.filter(path__startswith=province.path, kind="commune").order_by("code")
    )
    have = Ticket.objects.filter(status__in=["new", "claimed", "waiting_citizen"]).count()
    if have < open_target:
        rng = random.Random(5)
        categories = {c.code: c for c in Category.objects.all()}
        routes = {}
        started = time.perf_counter()
        batch = []
        from django.utils import timezone

        now = timezone.now()
        for i in range(open_target - have):
            commune = rng.choice(communes)
            code = rng.choice(CODES)
            key = (code, commune.pk)
            if key not in routes:
                routes[key] = services.route_for(categories[code], commune)
            priority = rng.choice(rules.PRIORITY_ORDER)
            created = now - __import__("datetime").timedelta(minutes=rng.randint(0, 4000))
            batch.append(
                Ticket(
                    channel="phone",
                    category=categories[code],
                    priority=priority,
                    status=rng.choice([Status.NEW, Status.CLAIMED]),
                    text=rng.choice(TEXTS),
                    commune=commune,
                    assigned_unit=routes[key],
                    created_at=created,
                    due_at=created
                    + __import__("datetime").timedelta(
                        minutes=services.DEFAULT_SLA_MINUTES[priority]
                    ),
                    source_ref=f"bench:{i}",
                )
            )
            if len(batch) == 5000:
                Ticket.objects.bulk_create(batch)
                batch = []
        Ticket.objects.bulk_create(batch)
        print(
            f"  loaded {open_target - have:,} open tickets in {time.perf_counter() - started:.1f} s"
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hotline_ticket")
    return agent, raw, [c.code for c in communes]


def bench_queue(agent, pages_to_time: int = 15):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from phongdich.hotline.models import Ticket

    open_count = Ticket.objects.filter(status__in=["new", "claimed", "waiting_citizen"]).count()
    client = Client()
    client.force_login(agent)
    client.get("/hotline/")  # warm caches, templates and the session
    results = {}
    # Where page 200 was: the queue pages by keyset (lib.pagination), so a deep page is a
    # cursor (the last row of page 199), not ?page=200.
    from phongdich.hotline import selectors
    from phongdich.lib.pagination import encode_cursor

    row = list(selectors.ticket_queue(agent)[199 * 50 - 1 : 199 * 50])[0]
    for label, query in (
        ("queue page 1", ""),
        ("queue page 200", f"?next={encode_cursor(row, selectors.QUEUE_KEYS)}"),
        ("queue P1 filter", "?priority=P1"),
        ("queue one branch", "?category=food"),
    ):
        timings = []
        for _ in range(pages_to_time):
            started = time.perf_counter()
            response = client.get("/hotline/" + query)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/hotline/" + query)
        rows = response.content.decode().count('class="ticket-row"')
        results[label] = (statistics.median(timings), max(timings), len(queries), rows)
    print(f"\nAgent queue, {open_count:,} open tickets, server-side render (in-process client):")
    for label, (p50, worst, nq, rows) in results.items():
        print(f"  {label:<20} p50 {p50:7.1f} ms  max {worst:7.1f} ms  queries {nq}  rows {rows}")
    return results


def bench_api(raw_token: str, communes: list[str], creates: int, workers: int = 2):
    headers = {"Authorization": f"Bearer {raw_token}"}
    rng = random.Random(9)
    with common.gunicorn_server(DB_URL, workers=workers) as server:
        host, port = server
        common.load("warm-up", host, port, lambda i: ("GET", "/api/ping", None, {}), 50)
        ping = common.load(
            "GET /api/ping (baseline)",
            host,
            port,
            lambda i: ("GET", "/api/ping", None, {}),
            creates,
            concurrency=4,
            max_seconds=60,
            cpu=server,
        )

        def create(i):
            body = {
                "category": rng.choice(CODES),
                "text": rng.choice(TEXTS),
                "commune_code": rng.choice(communes),
                "caller_phone": f"091{rng.randint(1_000_000, 9_999_999)}",
                "source_ref": f"bench-api:{i}",
            }
            return "POST", "/api/hotline/tickets", body, headers

        made = common.load(
            "POST /api/hotline/tickets",
            host,
            port,
            create,
            creates,
            concurrency=4,
            max_seconds=120,
            cpu=server,
        )
    print(
        f"\nTicket creation through the API (gunicorn, {workers} workers, 4 client threads, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}):"
    )
    print("  " + ping.line())
    print("  " + made.line())
    ratio = ping.per_second / made.per_second if made.per_second else float("inf")
    print(
        f"  creation throughput is 1/{ratio:.1f} of /api/ping; "
        f"p50 ratio {made.p50_ms / ping.p50_ms:.1f}x"
    )
    print(f"  {made.ratios(ping)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--open", type=int, default=50_000)
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    open_target = 10_000 if args.quick else args.open
    creates = 300 if args.quick else args.creates
    agent, raw, communes = setup(open_target)
    bench_queue(agent, pages_to_time=5 if args.quick else 15)
    bench_api(raw, communes, creates, args.workers)


if __name__ == "__main__":
    main()
