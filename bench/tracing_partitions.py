"""The commune lists of `tracing_quarantine.py` with contacts and quarantines partitioned by
province and not, alternated on the same rows (issue 17; tracing 0004, quarantine 0006).

Builds the same commune (one F0, `--contacts` contacts each in an active quarantine) and
`--provinces` other served provinces (one commune each, so their partitions exist: the
contact list's OR reads every partition), then for `--rounds` rounds measures the contact
list and the quarantine list (first and third keyset page, in process through the test
client) on plain tables (migrations tracing 0003 / quarantine 0005) and on partitioned
ones (the latest), ANALYZE after each switch. Reports per page the p50 wall time and the
CPU per request of this process and of its PostgreSQL backend (/proc, so run it on the
database's host), since wall time is noise on a shared machine.

    .venv/bin/python bench/tracing_partitions.py [--contacts 5000] [--provinces 3]
        [--rounds 3] [--runs 15]

Database: pd_bench_tracing_partitions (override with BENCH_TRACING_PARTITIONS_DATABASE_URL);
rebuilt every run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import tracing_quarantine as tq  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_TRACING_PARTITIONS_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/pd_bench_tracing_partitions",
)
TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) of PostgreSQL backend `pid` so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def other_provinces(count: int) -> None:
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.province import prepare_partitions

    for i in range(count):
        code = str(91 + i)
        top = AdminUnit.objects.create(code=code, name=code, kind="province", path=f"/{code}/")
        district = AdminUnit.objects.create(
            code=f"{code}0", name=code, kind="district", parent=top, path=f"/{code}/{code}0/"
        )
        AdminUnit.objects.create(
            code=f"{code}001",
            name=code,
            kind="commune",
            parent=district,
            path=f"/{code}/{code}0/{code}001/",
        )
    prepare_partitions()


def switch(partitioned: bool) -> int:
    """Apply or unapply the two partitioning migrations; returns the backend's pid."""
    from django.core.management import call_command
    from django.db import connection

    from phongdich.geo.province import is_partitioned

    if partitioned:
        call_command("migrate", "tracing", verbosity=0)
        call_command("migrate", "quarantine", verbosity=0)
    else:
        call_command("migrate", "quarantine", "0005", verbosity=0)
        call_command("migrate", "tracing", "0003", verbosity=0)
    for table in ("tracing_contact", "quarantine_quarantine"):
        assert is_partitioned(connection, table) == partitioned, table
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracing_contact")
        cursor.execute("ANALYZE quarantine_quarantine")
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=5_000)
    parser.add_argument("--provinces", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    common.recreate_database(DB_URL)
    common.django_setup(DB_URL)
    from django.core.management import call_command
    from django.test import Client

    from phongdich import testing

    call_command("migrate", verbosity=0)
    world = testing.make_world()
    staff = testing.make_staff(world)
    other_provinces(args.provinces)
    tq.build_lists(world, staff, args.contacts)
    print(f"built {args.contacts:,} contacts and quarantines; {tq.load_average()}")
    client = Client()
    client.force_login(staff.commune_worker_a)
    commune = world.commune_a.pk
    pages = {}
    for label, url in (
        ("contact list", f"/tracing/contacts/?commune={commune}"),
        ("quarantine list", f"/quarantine/?commune={commune}"),
    ):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        later = tq.next_page(url, response)
        later = tq.next_page(url, client.get(later)) or later
        pages[f"{label}, first page"] = url
        pages[f"{label}, third page"] = later
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for round_ in range(args.rounds):
        for partitioned in (False, True):
            pid = switch(partitioned)
            layout = "partitioned" if partitioned else "plain"
            for name, page in pages.items():
                client.get(page)  # warm the caches of this layout
                ms = []
                process, backend = time.process_time(), backend_cpu(pid)
                for _ in range(args.runs):
                    started = time.perf_counter()
                    assert client.get(page).status_code == 200
                    ms.append((time.perf_counter() - started) * 1000)
                process = (time.process_time() - process) / args.runs * 1000
                backend = (backend_cpu(pid) - backend) / args.runs * 1000
                queries = tq.query_count(lambda page=page: client.get(page))
                p50 = statistics.median(ms)
                results.setdefault((name, layout), []).append((p50, process, backend))
                print(
                    f"round {round_} {layout:<12} {name:<28} p50 {p50:7.1f} ms  CPU/request: "
                    f"process {process:6.1f} ms, backend {backend:5.1f} ms, {queries} queries  "
                    f"({tq.load_average()})",
                    flush=True,
                )
    print("medians over the rounds (p50 wall, process CPU, backend CPU per request):")
    for (name, layout), rows in results.items():
        wall, process, backend = (statistics.median(column) for column in zip(*rows, strict=True))
        print(
            f"  {name:<28} {layout:<12} {wall:7.1f} ms  process {process:6.1f} ms  "
            f"backend {backend:5.1f} ms"
        )


if __name__ == "__main__":
    main()
