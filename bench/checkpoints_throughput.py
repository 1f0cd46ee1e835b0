"""Checkpoint throughput through the real HTTP stack (gunicorn on loopback, PostgreSQL).

Measures, in one run:
  - /api/ping (the trivial baseline),
  - public declaration submissions (POST /api/checkpoints/declarations, the JSON twin of the
    phone form: validation, person matching, declaration, personal link, audit),
  - checkpoint scans (POST /api/checkpoints/passages with a fresh idempotency key each:
    short-code lookup, epidemic-area check, rule table, passage + hand-over, audit),
  - retried scans (the same key again: the duplicate path after a dropped connection).
Prints per-second, p50/p99, the CPU per request (gunicorn workers + their PostgreSQL
backends, from /proc) and the ratios to /api/ping (throughput, and CPU ping/path, which a
shared machine disturbs far less). Never asserts a verdict.

    .venv/bin/python bench/checkpoints_throughput.py [--quick] [--workers 2]
"""

import argparse
import json
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import django_setup, gunicorn_server, load, request  # noqa: E402

# BENCH_DB names another database, so two checkouts can measure side by side.
DB_URL = "postgres://postgres@127.0.0.1:5432/" + os.environ.get("BENCH_DB", "pd_bench_checkpoints")


def prepare():
    """Migrate and create the minimum world: province, communes, an officer with a token."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from phongdich import testing
    from phongdich.accounts.models import ApiToken, Role, User
    from phongdich.accounts.services import api_token_create
    from phongdich.checkpoints.models import Checkpoint
    from phongdich.geo.models import AdminUnit

    if not AdminUnit.objects.filter(code="38").exists():
        testing.make_world()
    commune = AdminUnit.objects.get(code="14755")
    officer = User.objects.filter(username="bench.chot").first()
    if officer is None:
        officer = testing.make_user(
            "bench.chot", Role.CHECKPOINT_OFFICER, AdminUnit.objects.get(code="38")
        )
    ApiToken.objects.filter(user=officer).delete()
    token, raw = api_token_create(by=officer, name="bench")
    token.user = officer
    token.save()
    checkpoint, _ = Checkpoint.objects.get_or_create(
        name="Chốt bench", defaults={"unit": AdminUnit.objects.get(code="381")}
    )
    return raw, checkpoint.pk, commune.code


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    total = 300 if args.quick else 2000
    # Loopback traffic from one address: lift the public rate limit for this server only.
    os.environ["CHECKPOINTS_PUBLIC_RATE_LIMIT"] = str(10 * total + 100)
    django_setup(DB_URL)
    token, checkpoint_id, commune_code = prepare()
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    codes: list[str] = []
    with gunicorn_server(DB_URL, workers=args.workers) as server:
        host, port = server
        run = uuid.uuid4().hex[:8]

        def ping(i):
            return "GET", "/api/ping", None, {}

        def declare(i):
            return "POST", "/api/checkpoints/declarations", declaration_body(i, commune_code), {}

        load("warm-up", host, port, ping, 50)  # every worker imported and connected
        baseline = load("GET /api/ping", host, port, ping, total, concurrency=4, cpu=server)
        declared = load(
            "POST /api/checkpoints/declarations", host, port, declare, total, 4, cpu=server
        )
        # Short codes to scan: declare a pool up front (not timed).
        for i in range(min(total, 400)):
            status, data = request(
                host,
                port,
                "POST",
                "/api/checkpoints/declarations",
                declaration_body(10_000_000 + i, commune_code),
            )
            if status == 201:
                codes.append(json.loads(data)["code"])
        if not codes:
            raise SystemExit("no declarations were accepted; cannot scan")

        def scan(i):
            body = {
                "code": codes[i % len(codes)],
                "checkpoint_id": checkpoint_id,
                "decision": "handover",
                "idempotency_key": f"{run}-{i:08d}",
                "temperature": 36.6,
            }
            return "POST", "/api/checkpoints/passages", body, auth

        scans = load("POST /api/checkpoints/passages (new)", host, port, scan, total, 4, cpu=server)
        retries = load(
            "POST /api/checkpoints/passages (retry)", host, port, scan, total, 4, cpu=server
        )
    print(
        f"requests per test: {total}, concurrency 4, gunicorn {args.workers} workers, "
        f"PostgreSQL, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for stats in (baseline, declared, scans, retries):
        print(f"{stats.line()}  {stats.ratios(baseline)}")


if __name__ == "__main__":
    main()
