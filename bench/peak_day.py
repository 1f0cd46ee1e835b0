"""A peak Omicron day for one province, replayed with locust against gunicorn (PostgreSQL).

Rates are the peak hours of a province with 200,000 F0 at home, not a day's average:
  - F0 checks: 200,000 F0 check twice a day, mostly in two morning and two evening hours,
    so 200,000 × 2 / (4 × 3600) ≈ 28 checks/s, each a form load and a post;
  - travellers at the gates: 2 declarations/s, each scanned once (one in ten scanned twice);
  - the 1022 switchboard: 1 new ticket/s;
  - 50 care-team queues and 20 agent queues refreshing every 15 s, 10 dashboards every 30 s;
  - /api/ping at 2/s as the baseline inside the same run.
Prints requests/s, p50/p99 and failures per path; the goal is zero failures. Loopback only,
bounded by --minutes. Never asserts a verdict.

    .venv/bin/python bench/peak_day.py [--minutes 10] [--f0 20000] [--workers 4] [--quick]

Database: pd_bench_peak (BENCH_PEAK_DATABASE_URL), rebuilt on every run.
"""

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_PEAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pd_bench_peak"
)
USERS = {
    "f0": 28,  # constant_throughput(1) each
    "traveller": 4,  # 0.5/s each
    "switchboard": 2,  # 0.5/s each
    "care_screens": 50,
    "agent_screens": 20,
    "dashboards": 10,
}


def recreate_database() -> None:
    common.recreate_database(DB_URL)


def settings_module() -> str:
    """Every request comes from 127.0.0.1: lift the per-address ceilings of the public forms
    for this server only (per-link limits stay: each check uses another F0's link)."""
    folder = Path(tempfile.mkdtemp(prefix="pd-bench-peak-"))
    (folder / "pd_bench_peak_settings.py").write_text(
        "from phongdich.settings import *  # noqa\n"
        "CASES_CHECK_IP_LIMIT = 10_000_000\n"
        "CHECKPOINTS_PUBLIC_RATE_LIMIT = 10_000_000\n"
    )
    return str(folder)


def build(total_f0: int) -> dict:
    import cases_checks
    import checkpoints_throughput
    from django.core.management import call_command

    from phongdich import testing
    from phongdich.accounts.models import Role
    from phongdich.accounts.services import api_token_create
    from phongdich.geo.models import AdminUnit
    from phongdich.hotline import services as hotline_services
    from phongdich.stats import services as stats_services

    call_command("migrate", verbosity=0)
    world, care, links = cases_checks.build(total_f0)
    checkpoint_token, checkpoint_id, commune_code = checkpoints_throughput.prepare()
    hotline_services.routing_seed_province(by=None, province=world.province)
    agent = testing.make_user("tongdai", Role.HOTLINE_AGENT, world.province)
    committee = testing.make_user("bcd", Role.COMMITTEE_MEMBER, world.province)
    _token, hotline_token = api_token_create(by=agent, name="peak")
    stats_services.daily_counts_refresh_recent()
    communes = list(
        AdminUnit.objects.filter(kind="commune", path__startswith=world.province.path)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return {
        "run": secrets.token_hex(3),
        "users": USERS,
        "f0_links": links,
        "checkpoint_token": checkpoint_token,
        "checkpoint_id": checkpoint_id,
        "declaration": checkpoints_throughput.declaration_body(0, commune_code),
        "hotline_token": hotline_token,
        "ticket_categories": ["food", "f0_advice", "emergency", "admin_procedures", "cdc"],
        "communes": communes,
        "care_session": cases_checks.session_cookie(care).split("=", 1)[1],
        "agent_session": cases_checks.session_cookie(agent).split("=", 1)[1],
        "committee_session": cases_checks.session_cookie(committee).split("=", 1)[1],
    }


def report(prefix: str, minutes: float) -> None:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    ping = next((r for r in rows if r["Name"].startswith("GET /api/ping")), None)
    ping_p50 = float(ping["50%"]) if ping else 0.0
    print(f"\npeak-day replay, {minutes:g} minutes, gunicorn on loopback, PostgreSQL")
    print("| path | requests | per second | p50 ms | p99 ms | failures |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['Name']} | {int(row['Request Count']):,} | {float(row['Requests/s']):.1f} "
            f"| {row['50%']} | {row['99%']} | {row['Failure Count']} |"
        )
    print(f"(baseline /api/ping p50 in the same run: {ping_p50:g} ms)")
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        for row in list(csv.DictReader(open(failures, encoding="utf-8")))[:10]:
            print(f"failure: {row['Method']} {row['Name']}: {row['Error']} × {row['Occurrences']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--f0", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="1 minute, 4,000 F0")
    args = parser.parse_args()
    if args.quick:
        args.minutes, args.f0 = 1, 4000

    recreate_database()
    common.django_setup(DB_URL)
    started = time.perf_counter()
    params = build(args.f0)
    print(f"data built in {time.perf_counter() - started:.0f} s ({len(params['f0_links']):,} F0)")
    params_file = Path(tempfile.mkdtemp(prefix="pd-peak-")) / "params.json"
    params_file.write_text(json.dumps(params), encoding="utf-8")

    folder = settings_module()
    os.environ["PYTHONPATH"] = folder + os.pathsep + os.environ.get("PYTHONPATH", "")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pd_bench_peak_settings"
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    prefix = str(params_file.parent / "peak")
    users = sum(USERS.values()) + 1
    with common.gunicorn_server(DB_URL, workers=args.workers) as (host, port):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(Path(__file__).with_name("locust_peak.py")),
                "--headless",
                "--host",
                f"http://{host}:{port}",
                "-u",
                str(users),
                "-r",
                str(users),
                "--run-time",
                f"{int(args.minutes * 60)}s",
                "--stop-timeout",
                "10",
                "--csv",
                prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "PEAK_PARAMS": str(params_file)},
            check=False,
        )
    report(prefix, args.minutes)
    from phongdich.cases.models import HealthCheck

    made = HealthCheck.objects.filter(submission_key__startswith=f"peak-{params['run']}-").count()
    print(f"checks recorded by the run: {made:,}; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
