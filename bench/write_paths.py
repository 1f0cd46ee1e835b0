"""Issue 17's write paths in-process, on PostgreSQL: statements per request and latency,
against /api/ping in the same run.

Each path goes through the Django test client with the full middleware stack (no network,
no gunicorn: what is left is the request's own work), after a warm-up request so the
process's caches are as a running worker has them:

  - GET /api/ping (the baseline),
  - the F0's check through the personal link (POST /cases/c/<token>/),
  - a traveller's declaration (POST /api/checkpoints/declarations),
  - a new and a retried checkpoint scan (POST /api/checkpoints/passages),
  - a hotline ticket through the API (POST /api/hotline/tickets, with an Idempotency-Key).

Prints, per path, the statements of one request (what goes through Django's cursors,
savepoints included; BEGIN/COMMIT of psycopg are not counted), p50/p99 over --requests, and the
p50 ratio ping/path (the issue's goal: each path at least 0.5 × ping's rate), and where a
request's mean time goes (statements, COMMIT, the rest: Django, the view, the response). --profile
prints the top functions of each path under cProfile.

CPU per request beside the times: this process's (time.process_time: Django, the view, the
test client) and its PostgreSQL backend's (/proc/<backend pid>/stat), and the CPU ratio
ping/path; on a shared machine these move far less than the times do. --profile counts CPU
time too (cProfile with time.process_time), so waiting for a busy core is not in it.

--ceiling replays each path's own captured statements alone (psycopg's cursor, no ORM, form,
template or middleware; rolled back so each replay meets the same rows): a path costs at least
ping plus that, so ping / (ping + statements) is the highest ratio any implementation issuing
those statements can reach. --served-ping-ms puts it against ping's CPU under gunicorn.

    .venv/bin/python bench/write_paths.py [--requests 200] [--profile] [--ceiling [--served-ping-ms 1.33]]

Database: phongdich_bench_write_paths (BENCH_WRITE_PATHS_DATABASE_URL), rebuilt each run.
No Redis unless REDIS_URL is set (then the rate limits and stamps go there).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_WRITE_PATHS_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/phongdich_bench_write_paths",
)


# BENCH_PROFILE_SORT=tottime shows where the time is spent rather than who spends it.
PROFILE_SORT = os.environ.get("BENCH_PROFILE_SORT", "cumulative")


def recreate_database() -> None:
    common.recreate_database(DB_URL)


def build(requests: int):
    from django.conf import settings
    from django.utils import timezone

    from phongdich import testing
    from phongdich.accounts.services import api_token_create
    from phongdich.cases import rules as case_rules
    from phongdich.cases import services as case_services
    from phongdich.checkpoints.models import Checkpoint
    from phongdich.hotline import services as hotline_services

    settings.CASES_CHECK_LINK_LIMIT = 10 * requests + 100
    settings.CASES_CHECK_IP_LIMIT = 10 * requests + 100
    settings.CHECKPOINTS_PUBLIC_RATE_LIMIT = 10 * requests + 100
    world = testing.make_world()
    staff = testing.make_staff(world)
    case, _created = case_services.case_register(
        by=staff.commune_worker_a,
        person_data=case_services.PersonData(
            full_name="Nguyễn Văn Thử", birth_year=1980, phone="0912000001"
        ),
        commune=world.commune_a,
        evidence=[case_rules.LabEvidence("pcr", True, timezone.now())],
    )
    _link, raw = case_services.case_link_issue(by=staff.commune_worker_a, case=case)
    hotline_services.routing_seed_province(by=None, province=world.province)

    def bearer(user):
        token, secret = api_token_create(by=user, name="bench")
        token.user = user
        token.save()
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    checkpoint = Checkpoint.objects.create(name="Chốt bench", unit=world.district_b, gate="QL1A")
    return {
        "world": world,
        "check_url": f"/cases/c/{raw}/",
        "officer": bearer(staff.checkpoint_officer),
        "agent": bearer(staff.hotline_agent),
        "checkpoint": checkpoint.pk,
    }


def declaration_body(i: int, commune_code: str) -> dict:
    return {
        "full_name": f"Người Thử {i}",
        "birth_year": 1960 + i % 50,
        "phone": f"091{i % 10_000_000:07d}",
        "travel_mode": "car",
        "vehicle_number": f"30A-{i % 1000:03d}.{i % 100:02d}",
        "arrival_date": "2022-01-20",
        "origin_text": "Hà Nội",
        "destination_commune_code": commune_code,
        "destination_address": f"Số {i}",
        "vaccine_doses": 2,
    }


def measure(label, send, requests, profile=False):
    from django.db import connection

    send(-1)  # warm
    # An execute wrapper, not CaptureQueriesContext: the request_started signal empties
    # the query log of a DEBUG-off process in the middle of the capture.
    queries = []

    def seen(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:  # each statement's own time, so --statements shows where a request waits
            queries.append(f"{(time.perf_counter() - started) * 1000:6.2f} ms  {sql}")

    with connection.execute_wrapper(seen):
        status = send(-2)
    samples = []
    # Where the time goes: the statements (psycopg's BEGIN goes out with the first), the
    # COMMIT, and the rest (Django, the view, the response) per request, in mean ms.
    parts = {"sql": 0.0, "commit": 0.0}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            parts["sql"] += time.perf_counter() - started

    commit = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return commit()
        finally:
            parts["commit"] += time.perf_counter() - started

    # CPU, not wall time: a loaded machine stretches waits, not the work a request does.
    profiler = cProfile.Profile(time.process_time) if profile else None
    connection._commit = timed_commit
    backend = connection.connection.info.backend_pid
    cpu_started = time.process_time()
    backend_started = common.process_cpu_ticks(backend)
    try:
        with connection.execute_wrapper(timed):
            for i in range(requests):
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                status = send(i)
                if profiler:
                    profiler.disable()
                samples.append((time.perf_counter() - started) * 1000)
                assert status < 300, (label, status)
    finally:
        del connection._commit  # the instance attribute shadowed the method
    cpu_ms = (time.process_time() - cpu_started) * 1000 / requests
    backend_ticks = common.process_cpu_ticks(backend) - backend_started
    db_cpu_ms = backend_ticks * 1000 / common.TICKS_PER_SECOND / requests
    total = sum(samples) / len(samples)
    sql_ms, commit_ms = (parts[k] * 1000 / requests for k in ("sql", "commit"))
    split = (total, sql_ms, commit_ms, total - sql_ms - commit_ms)
    p50, _p95, p99 = common.percentiles(samples)
    report = ""
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(PROFILE_SORT).print_stats(25)
        report = out.getvalue()
    cpu = (cpu_ms, db_cpu_ms)
    return label, len(queries), p50, p99, [sql[:120] for sql in queries], report, split, cpu


def ceiling(label, send, requests):
    """The least a path must do, in CPU per request: its own statements, with their values,
    sent straight down psycopg's cursor (no ORM, no form, no template, no middleware) in a
    transaction rolled back, so every repetition meets the same rows and keys as the first.

    One real request is captured inside an outer transaction that is rolled back, so what it
    wrote is gone and its keys are free again for the replay. Savepoints are left out (the
    real request makes its transaction with BEGIN/COMMIT). A path can never cost less than
    /api/ping (the same middleware, parsing and response) plus this: ping / (ping + this) is
    the highest rate ratio any implementation issuing these statements can reach."""
    from django.db import connection, transaction

    captured = []

    def keep(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            captured.append((sql, params, many))
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(keep):
            status = send(-3)
        transaction.set_rollback(True)
    assert status < 300, (label, status)
    backend = connection.connection.info.backend_pid
    cpu_started = time.process_time()
    backend_started = common.process_cpu_ticks(backend)
    for _ in range(requests):
        with transaction.atomic():
            cursor = connection.connection.cursor()  # psycopg's own cursor
            for sql, params, many in captured:
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
            transaction.set_rollback(True)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / requests
    db_cpu_ms = (
        (common.process_cpu_ticks(backend) - backend_started)
        * 1000
        / common.TICKS_PER_SECOND
        / requests
    )
    return label, len(captured), cpu_ms, db_cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--statements", action="store_true", help="print each path's SQL")
    parser.add_argument(
        "--no-flush-wait",
        action="store_true",
        help="measure only: this bench's own sessions commit without waiting for the WAL "
        "flush (SET synchronous_commit TO off), to show what the flush costs a write",
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also replay each path's own statements alone (psycopg, rolled back): the "
        "highest CPU ratio to ping any implementation issuing them can reach",
    )
    parser.add_argument(
        "--served-ping-ms",
        type=float,
        help="with --ceiling: /api/ping's CPU per request under gunicorn (as "
        "checkpoints_throughput.py prints it); the ceiling is shown against it too, since a "
        "served request's fixed cost is larger than the test client's",
    )
    args = parser.parse_args()
    recreate_database()
    os.environ["CHECKPOINTS_PUBLIC_RATE_LIMIT"] = str(10 * args.requests + 100)
    common.django_setup(DB_URL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client

    if args.no_flush_wait:
        from django.db.backends.signals import connection_created

        def no_flush_wait(sender, connection, **kwargs):
            # A session setting of this bench's connections, never the server's.
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")

        connection_created.connect(no_flush_wait, weak=False)
        from django.db import connection

        connection.close()  # the next statement opens a session with the setting

    data = build(args.requests)
    client = Client()
    commune = data["world"].commune_a.code
    run = uuid.uuid4().hex[:6]
    codes = []

    def ping(i):
        return client.get("/api/ping").status_code

    def check(i):
        body = {"submission_key": f"{run}-{i}", "spo2": "98", "symptoms": ["none"]}
        return client.post(data["check_url"], body).status_code

    def declare(i):
        response = client.post(
            "/api/checkpoints/declarations",
            declaration_body(10_000 + i, commune),
            content_type="application/json",
        )
        codes.append(response.json().get("code"))
        return response.status_code

    def scan(i, suffix=""):
        body = {
            "code": codes[i % len(codes)],
            "checkpoint_id": data["checkpoint"],
            "decision": "handover",
            "idempotency_key": f"{run}-scan-{i:08d}{suffix}",
            "temperature": 36.6,
        }
        return client.post(
            "/api/checkpoints/passages", body, content_type="application/json", **data["officer"]
        ).status_code

    def ticket(i):
        body = {
            "category": "violation",
            "text": f"người về không khai báo {i}",
            "commune_code": commune,
            "caller_phone": "0912345678",
        }
        return client.post(
            "/api/hotline/tickets",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            **data["agent"],
        ).status_code

    n = args.requests
    results = [
        measure("GET /api/ping (baseline)", ping, n, args.profile),
        measure("F0 check via personal link", check, n, args.profile),
        measure("declaration (API)", declare, n, args.profile),
        measure("new passage", scan, n, args.profile),
        measure("retried passage", scan, n, args.profile),  # the same keys again
        measure("ticket creation (API)", ticket, n, args.profile),
    ]
    ping_p50 = results[0][2]
    ping_cpu = sum(results[0][7])
    flush = ", synchronous_commit off (measurement only)" if args.no_flush_wait else ""
    print(f"in-process, PostgreSQL{flush}, {n} requests per path, load {os.getloadavg()[0]:.1f}")
    for label, count, p50, p99, sql, report, split, (cpu_ms, db_cpu_ms) in results:
        total, sql_ms, commit_ms, rest = split
        print(
            f"{label:<30} statements {count:3d}  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
            f"rate vs ping {ping_p50 / p50 if p50 else 0:5.2f}"
        )
        print(
            f"{'':<30} CPU {cpu_ms + db_cpu_ms:6.2f} ms/req = Python {cpu_ms:6.2f} + "
            f"PostgreSQL {db_cpu_ms:5.2f}  CPU ratio ping/path {ping_cpu / (cpu_ms + db_cpu_ms):5.2f}"
        )
        print(
            f"{'':<30} mean {total:6.2f} ms = statements {sql_ms:6.2f} + COMMIT "
            f"{commit_ms:5.2f} + Django/view/response {rest:6.2f}"
        )
        if args.statements:
            for line in sql:
                print("      ", line)
        if report:
            print(report)
    if args.ceiling:

        def declare_once(i):
            status = declare(i)
            codes.pop()  # rolled back: scans must not pick the code
            return status

        paths = (
            ("F0 check via personal link", check),  # a new submission key
            ("declaration (API)", declare_once),
            ("new passage", scan),  # a key never sent
            ("retried passage", lambda i: scan(0)),  # the key of the first measured scan
            ("ticket creation (API)", ticket),
        )
        print(f"ceiling: each path's statements alone, {n} replays, load {os.getloadavg()[0]:.1f}")
        print(f"  ping's CPU in this run: {ping_cpu:5.2f} ms/req (Python + PostgreSQL)")
        for (label, step), measured in zip(paths, results[1:], strict=True):
            _label, count, cpu_ms, db_cpu_ms = ceiling(label, step, n)
            least = cpu_ms + db_cpu_ms
            path_cpu = sum(measured[7])
            print(
                f"  {label:<30} statements {count:3d}  CPU {least:5.2f} ms = psycopg "
                f"{cpu_ms:5.2f} + PostgreSQL {db_cpu_ms:5.2f}  ceiling ping/(ping+statements) "
                f"{ping_cpu / (ping_cpu + least):4.2f}  measured {ping_cpu / path_cpu:4.2f}  "
                f"(the path's CPU {path_cpu:5.2f} ms: {least / path_cpu:4.0%} of it is the "
                f"statements' own)"
            )
            if args.served_ping_ms:
                served = args.served_ping_ms
                print(
                    f"  {'':<30} against ping served by gunicorn ({served:4.2f} ms): ceiling "
                    f"{served / (served + least):4.2f}; PostgreSQL's share alone "
                    f"{served / (served + db_cpu_ms):4.2f}"
                )


if __name__ == "__main__":
    main()
