"""Long lists, oversight and exports at province scale, on PostgreSQL (issue 17's rows).

In-process (Django test client, every middleware), so the figures are server time:

1. The care queue for the province admin with N active F0 (default 40,000): page 1, a
   deep page (where page 200 was) and the htmx rows; the paging query alone the old way
   (Paginator: OFFSET + COUNT(*)) and the new way (lib.pagination keyset, capped count).
2. The audit log page with M events (default 1,500,000): first page, a deep page, a
   filter; the old paging query (COUNT(*) over the table + OFFSET) beside it.
3. The 1022 oversight page with T tickets (default 20,000, then 3×): the page reading the
   precomputed snapshot against the figures computed per view (the old page), at both
   sizes, and the refresh job's time.
4. XLSX exports: the audit log's 50,000 rows and a 1022 day, the old way (the whole
   workbook built inside the request, rows cached) against the new (the request queues a
   job; the worker streams the file): request time, build time and peak Python memory
   (tracemalloc, for both).

Baseline in the same run: GET /api/ping through the same client. The load average is
printed beside every section (the machine is shared).

    .venv/bin/python bench/lists_exports.py [--quick] [--f0 40000] [--events 1500000]

Database: pd_bench_lists (BENCH_LISTS_DATABASE_URL), rebuilt when its sizes differ.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_LISTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pd_bench_lists"
)
PER_COMMUNE = 2000


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def timed(call, repeat: int) -> tuple[float, float]:
    call()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def line(label: str, p50: float, p95: float, baseline: float, extra: str = "") -> str:
    ratio = p50 / baseline if baseline else float("inf")
    return f"  {label:<52} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  {ratio:7.1f}× ping {extra}"


# --- data --------------------------------------------------------------------------------


def build_cases(total_f0: int):
    from django.db import connection
    from django.utils import timezone

    from phongdich.cases.models import Alert, Case
    from phongdich.geo.models import AdminUnit
    from phongdich.people.models import Person

    have = Case.objects.filter(status="active").count()
    if have >= total_f0:
        return
    district = AdminUnit.objects.get(code="380")
    rng = random.Random(7)
    now = timezone.now()
    today = timezone.localdate()
    started = time.perf_counter()
    for n in range((total_f0 - have) // PER_COMMUNE):
        code = f"8{have // PER_COMMUNE + n:04d}"
        commune = AdminUnit.objects.create(
            code=code, name=f"Xã Đo {code}", kind="commune", parent=district,
            path=f"{district.path}{code}/",
        )  # fmt: skip
        people = [
            Person(
                full_name=f"Nguyễn Văn Đo {code}-{i}",
                name_key=f"nguyen van do {code} {i}",
                given_key=str(i),
                birth_year=rng.randint(1940, 2015),
                phone=f"+8492{rng.randint(0, 9999999):07d}",
                commune=commune,
            )
            for i in range(PER_COMMUNE)
        ]
        Person.objects.bulk_create(people, batch_size=5000)
        cases = [
            Case(
                person=p,
                commune=commune,
                status="active",
                source="lab",
                basis="pcr",
                diagnosed_on=today - timedelta(days=rng.randint(0, 9)),
                isolation_start=today - timedelta(days=rng.randint(0, 9)),
                # a tenth never checked (NULL sorts first), the rest at random times
                last_check_at=None
                if rng.random() < 0.1
                else now - timedelta(minutes=rng.randint(10, 1200)),
                risk_score=rng.randint(0, 3),
            )
            for p in people
        ]
        Case.objects.bulk_create(cases, batch_size=5000)
        flagged = [c for c in cases if rng.random() < 0.03]
        Alert.objects.bulk_create(
            [Alert(case=c, kind="danger", reasons=["SpO2 95% (≤ 96%)"]) for c in flagged]
        )
        Case.objects.filter(pk__in=[c.pk for c in flagged]).update(
            open_alerts=1, open_danger_alerts=1
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("ANALYZE people_person")
    print(f"  loaded {total_f0 - have:,} F0 in {time.perf_counter() - started:.1f} s")


def build_events(total: int, actor_id: int, province: str):
    """Audit events by SQL (generate_series): one in 30 of the first 300,000 is
    'bench.export', the export's filter, so the export reads 10,000 rows at any size
    (tracemalloc, which both ways run under, slows a row about tenfold)."""
    from django.db import connection

    from phongdich.audit.models import AuditEvent

    have = AuditEvent.objects.count()
    if have >= total:
        return
    from django.utils import timezone

    from phongdich.audit import partitions

    # The events go back `total` seconds: their months' partitions first (PostgreSQL).
    partitions.prepare_partitions(since=timezone.localdate() - timedelta(seconds=total))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audit_auditevent
                (at, actor_id, actor_label, kind, action, target_type, target_id,
                 target_label, ip, changes, province, app)
            SELECT now() - (i || ' seconds')::interval, %s, 'admin', 'read',
                   CASE WHEN i %% 30 = 0 AND i <= 300000 THEN 'bench.export'
                        ELSE 'people.search' END,
                   'people.person', (i %% 100000)::text, 'Nguyễn Văn ' || (i %% 997),
                   '127.0.0.1', '{"q": "nguyen"}'::jsonb, %s,
                   CASE WHEN i %% 30 = 0 AND i <= 300000 THEN 'bench' ELSE 'people' END
            FROM generate_series(%s, %s) AS i
            """,
            [actor_id, province, have + 1, total],
        )
        cursor.execute("ANALYZE audit_auditevent")
    print(f"  loaded {total - have:,} audit events in {time.perf_counter() - started:.1f} s")


def build_tickets(total: int):
    from django.db import connection
    from django.utils import timezone

    from phongdich.geo.models import AdminUnit
    from phongdich.hotline import rules, services
    from phongdich.hotline.models import Category, Status, Ticket

    have = Ticket.objects.count()
    if have >= total:
        return
    communes = list(AdminUnit.objects.filter(kind="commune", path__startswith="/38/"))
    categories = list(Category.objects.all())
    rng = random.Random(5)
    now = timezone.now()
    routes, batch = {}, []
    started = time.perf_counter()
    for i in range(total - have):
        commune, category = rng.choice(communes), rng.choice(categories)
        key = (category.pk, commune.pk)
        if key not in routes:
            routes[key] = services.route_for(category, commune)
        priority = rng.choice(rules.PRIORITY_ORDER)
        # A month of tickets, a fifth on the export's day (today).
        created = now - timedelta(minutes=rng.randint(0, 600 if i % 5 == 0 else 43000))
        done = rng.random() < 0.6
        batch.append(
            Ticket(
                channel="phone",
                category=category,
                priority=priority,
                status=Status.RESOLVED if done else rng.choice([Status.NEW, Status.CLAIMED]),
                text="Nhà 5 người hết gạo",
                commune=commune,
                assigned_unit=routes[key],
                created_at=created,
                due_at=created + timedelta(minutes=services.DEFAULT_SLA_MINUTES[priority]),
                first_response_at=created + timedelta(minutes=rng.randint(1, 300)),
                resolved_at=created + timedelta(minutes=rng.randint(30, 3000)) if done else None,
                source_ref=f"bench-lists:{have + i}",
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hotline_ticket")
    print(f"  loaded {total - have:,} tickets in {time.perf_counter() - started:.1f} s")


def setup():
    common.django_setup(DB_URL)
    from django.core.management import call_command

    from phongdich import testing
    from phongdich.accounts.models import Role, User
    from phongdich.demo.services import PROVINCE_CODE
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load
    from phongdich.hotline import services

    call_command("migrate", verbosity=0)
    if not AdminUnit.objects.filter(code=PROVINCE_CODE).exists():
        geography_load(dataset="2021", province=PROVINCE_CODE)
    province = AdminUnit.objects.get(code=PROVINCE_CODE)
    from phongdich.hotline.models import RoutingRule

    if not RoutingRule.objects.exists():
        services.routing_seed_province(by=None, province=province)
    admin = User.objects.filter(username="bench-admin").first()
    if admin is None:
        admin = User(username="bench-admin", role=Role.PROVINCE_ADMIN, jurisdiction=province)
        admin.set_password(testing.PASSWORD)
        admin.save()
    return admin


# --- measurements ------------------------------------------------------------------------


def ping_baseline(client, repeat):
    p50, p95 = timed(lambda: client.get("/api/ping"), repeat)
    print(f"\nBaseline: GET /api/ping in-process p50 {p50:.2f} ms p95 {p95:.2f} ms")
    return max(p50, 0.01)


def bench_queue(client, admin, ping, repeat):
    from django.core.paginator import Paginator

    from phongdich.cases import selectors
    from phongdich.cases.models import Case
    from phongdich.lib.pagination import encode_cursor, keyset_page

    total = Case.objects.filter(status="active").count()
    print(f"\nCare queue, province admin, {total:,} active F0 (100 a page); {load_average()}")
    queue = selectors.care_queue(admin)
    deep_row = list(queue[199 * 100 - 1 : 199 * 100])[0]  # the last row of page 199
    cursor = encode_cursor(deep_row, selectors.QUEUE_KEYS)
    for label, path, headers in (
        ("/cases/ page 1", "/cases/", {}),
        ("/cases/ where page 200 was (?next=)", f"/cases/?next={cursor}", {}),
        ("/cases/ htmx rows (refresh of page 1)", "/cases/?commune=&show=", {"HTTP_HX_REQUEST": "true"}),
    ):  # fmt: skip
        p50, p95 = timed(lambda p=path, h=headers: client.get(p, **h), repeat)
        print(line(label, p50, p95, ping))

    def old(number):
        page = Paginator(selectors.care_queue(admin), 100).get_page(number)
        list(page.object_list)
        return page.paginator.count

    def new(next_cursor):
        return keyset_page(
            selectors.care_queue(admin), keys=selectors.QUEUE_KEYS, next=next_cursor, size=100
        )

    for label, call in (
        ("paging query, old (OFFSET + COUNT), page 1", lambda: old(1)),
        ("paging query, old (OFFSET + COUNT), page 200", lambda: old(200)),
        ("paging query, new (keyset, capped count), page 1", lambda: new(None)),
        ("paging query, new (keyset, capped count), page 200", lambda: new(cursor)),
    ):
        p50, p95 = timed(call, repeat)
        print(line(label, p50, p95, ping))


def bench_audit(client, admin, ping, repeat):
    from django.core.paginator import Paginator

    from phongdich.audit.models import AuditEvent
    from phongdich.audit.selectors import audit_events_visible_to
    from phongdich.lib.pagination import keyset_page

    total = AuditEvent.objects.count()
    print(f"\nAudit log page, {total:,} events (50 a page); {load_average()}")
    deep = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True)[10_000]
    for label, path in (
        ("/audit/ first page", "/audit/"),
        ("/audit/ 200 pages deep (?next=)", f"/audit/?next={deep}"),
        ("/audit/ filtered by action", "/audit/?action=bench."),
    ):
        p50, p95 = timed(lambda p=path: client.get(p), repeat)
        print(line(label, p50, p95, ping))

    def old(number):
        page = Paginator(audit_events_visible_to(admin).order_by("-at", "-id"), 50).get_page(number)
        list(page.object_list)
        return page.paginator.count

    def prefix_like():
        # The action filter before the (app, id) index: a LIKE, the planner walking the id
        # index from the newest event while every match is among the oldest.
        qs = audit_events_visible_to(admin).filter(action__startswith="bench.")
        return keyset_page(qs)

    def prefix_app():
        return keyset_page(audit_events_visible_to(admin, action="bench."))

    for label, call in (
        ("paging query, old (COUNT(*) + OFFSET), page 1", lambda: old(1)),
        ("paging query, old (COUNT(*) + OFFSET), page 200", lambda: old(200)),
        ("action prefix 'bench.', old (LIKE), keyset page 1", prefix_like),
        ("action prefix 'bench.', new (app, id), keyset page 1", prefix_app),
    ):
        p50, p95 = timed(call, max(3, repeat // 3))
        print(line(label, p50, p95, ping))


def bench_audit_layout(admin, ping, repeat):
    """The audit queries on the partitioned table against an unpartitioned copy of the
    same rows (audit_bench_plain, same indexes), in the same run: what partitioning costs
    or saves on a one-province database."""
    from django.db import connection
    from django.utils import timezone

    from phongdich.audit.selectors import audit_events_visible_to
    from phongdich.lib.pagination import keyset_page

    # The copy is a table of the same name in its own schema; the search path picks which
    # one the unchanged queries read (the units and accounts stay in public).
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_plain.audit_auditevent') IS NOT NULL")
        if not cursor.fetchone()[0]:
            started = time.perf_counter()
            cursor.execute("CREATE SCHEMA IF NOT EXISTS bench_plain")
            cursor.execute(
                "CREATE TABLE bench_plain.audit_auditevent "
                "(LIKE public.audit_auditevent INCLUDING DEFAULTS)"
            )
            cursor.execute(
                "INSERT INTO bench_plain.audit_auditevent SELECT * FROM public.audit_auditevent"
            )
            cursor.execute("ALTER TABLE bench_plain.audit_auditevent ADD PRIMARY KEY (id)")
            for columns in ("at", "action varchar_pattern_ops", "actor_id, id", "app, id"):
                cursor.execute(f"CREATE INDEX ON bench_plain.audit_auditevent ({columns})")
            cursor.execute("ANALYZE bench_plain.audit_auditevent")
            print(f"  copied the events unpartitioned in {time.perf_counter() - started:.1f} s")
    day = timezone.localdate()
    cases = [
        ("first page", {}),
        ("action 'bench.'", {"action": "bench."}),
        ("one day (today)", {"day": day}),
        ("one day, 10 days ago", {"day": day - timedelta(days=10)}),
    ]
    print(f"\nAudit layout, keyset page 1 + capped count; {load_average()}")
    for label, filters in cases:
        figures = []
        for path in ("public", "bench_plain, public"):
            with connection.cursor() as cursor:
                cursor.execute(f"SET search_path TO {path}")
            try:
                p50, _ = timed(
                    lambda f=filters: keyset_page(audit_events_visible_to(admin, **f)), repeat
                )
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SET search_path TO public")
            figures.append(p50)
        print(
            f"  {label:<24} partitioned p50 {figures[0]:7.1f} ms · unpartitioned "
            f"{figures[1]:7.1f} ms · ratio {figures[0] / figures[1]:.2f}"
        )


def bench_oversight(client, admin, ping, repeat, tickets):
    from phongdich.hotline import selectors, services
    from phongdich.hotline.models import Ticket

    for size in tickets:
        build_tickets(size)
        count = Ticket.objects.count()
        started = time.perf_counter()
        scopes = services.oversight_refresh()
        refresh = (time.perf_counter() - started) * 1000
        print(f"\n1022 oversight, {count:,} tickets; {load_average()}")
        p50, p95 = timed(lambda: client.get("/hotline/oversight/"), repeat)
        print(line("/hotline/oversight/ (reads the snapshot)", p50, p95, ping))
        p50, p95 = timed(
            lambda: selectors.oversight_figures(selectors.tickets_visible_to(admin)), repeat
        )
        print(line("figures computed per view (the old page's work)", p50, p95, ping))
        print(f"  refresh job: {scopes} scopes in {refresh:,.0f} ms (every 5 minutes)")


def _peak(call):
    tracemalloc.start()
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 2**20


def bench_exports(client, admin):
    from django.test import override_settings
    from django.utils import timezone

    from phongdich.audit.export_kinds import header
    from phongdich.audit.exports import export_run
    from phongdich.audit.labels import event_sentence
    from phongdich.audit.models import Export
    from phongdich.audit.selectors import audit_events_visible_to
    from phongdich.hotline import export_kinds as hotline_kinds
    from phongdich.lib.xlsx import build_workbook

    print(f"\nXLSX exports (peak = tracemalloc peak of Python allocations); {load_average()}")
    qs = audit_events_visible_to(admin, action="bench.export")

    def old_audit():
        rows = (
            (
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"), e.actor_label,
                e.get_kind_display(), event_sentence(e), e.target_type, e.target_id,
                e.target_label, e.ip or "", e.changes, e.action,
            )
            for e in qs[:50000]
        )  # fmt: skip
        return len(build_workbook("Nhat ky", header(), rows))

    def old_day():
        day = timezone.localdate()
        sheets = hotline_kinds._sheets(admin, {"date": day.isoformat()})
        title, head, rows = sheets[0]
        return len(build_workbook(title, head, list(rows)))

    with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-exports-")):
        for label, old, path in (
            ("audit log, 'bench.export' events", old_audit, "/audit/?action=bench.&format=xlsx"),
            ("1022 day (today)", old_day, "/hotline/oversight/export.xlsx"),
        ):
            size, seconds, peak = _peak(old)
            print(f"  {label}: old, built in the request: {seconds:6.2f} s, peak {peak:6.1f} MB, "
                  f"{size / 2**20:.1f} MB file")  # fmt: skip
            Export.objects.all().delete()
            started = time.perf_counter()
            response = client.get(path)
            asked = (time.perf_counter() - started) * 1000
            pk = int(response.url.rstrip("/").rsplit("/", 1)[-1])
            _, seconds, peak = _peak(lambda pk=pk: export_run(export_id=pk))
            export = Export.objects.get(pk=pk)
            print(f"  {label}: new, request {asked:5.1f} ms, then the worker: {seconds:6.2f} s, "
                  f"peak {peak:6.1f} MB, {export.rows_done:,} rows, "
                  f"{export.file.size / 2**20:.1f} MB file")  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--f0", type=int, default=40_000)
    parser.add_argument("--events", type=int, default=1_500_000)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--only", default="queue,audit,layout,oversight,exports", help="sections")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if args.quick:
        args.f0, args.events, args.tickets = 20_000, 300_000, 10_000
    repeat = 7 if args.quick else 15
    admin = setup()
    print(f"data: {load_average()}")
    build_cases(args.f0)
    build_events(args.events, admin.pk, admin.jurisdiction.code)
    from django.test import Client

    client = Client()
    client.force_login(admin)
    ping = ping_baseline(client, repeat * 3)
    if "queue" in only:
        bench_queue(client, admin, ping, repeat)
    if "audit" in only:
        bench_audit(client, admin, ping, repeat)
    if "layout" in only:
        bench_audit_layout(admin, ping, repeat)
    if "oversight" in only:
        bench_oversight(client, admin, ping, repeat, [args.tickets, args.tickets * 3])
    if "exports" in only:
        bench_exports(client, admin)
    print(f"\nend: {load_average()}")


if __name__ == "__main__":
    main()
