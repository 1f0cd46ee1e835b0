"""The care queue and an F0's page, in-process, with the CPU each request costs this
process and its PostgreSQL backend (issue 17: cases partitioned by province).

Builds `lists_exports.py`'s cases (20,000 active F0, 10 communes of 2,000) and times, for
`repeat` requests each: the province admin's queue page 1, a commune worker's queue page 1
and that worker's F0 page. CPU is `time.process_time` here and the backend's utime+stime
from /proc (same machine), per request; wall p50 beside it. To compare two trees (before
and after a change), run it from each against its own database, alternating:

    .venv/bin/python bench/cases_queue_cpu.py [DB_URL] [repeat]

Database: pd_bench_queue_cpu by default; built on the first run, reused after.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
URL = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/pd_bench_queue_cpu"
REPEAT = int(sys.argv[2]) if len(sys.argv) > 2 else 9
os.environ["BENCH_LISTS_DATABASE_URL"] = URL
import lists_exports  # noqa: E402

lists_exports.DB_URL = URL


def backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    admin = lists_exports.setup()
    lists_exports.build_cases(20_000)
    from django.db import connection
    from django.test import Client

    from phongdich import testing
    from phongdich.accounts.models import Role, User
    from phongdich.cases.models import Case
    from phongdich.geo import province

    print(f"cases_case partitioned: {province.is_partitioned(connection, 'cases_case')}")
    commune = Case.objects.filter(status="active").order_by("pk").first().commune
    worker = User.objects.filter(username="bench-commune").first()
    if worker is None:
        worker = User(username="bench-commune", role=Role.COMMUNE_HEALTH_WORKER)
        worker.jurisdiction = commune
        worker.set_password(testing.PASSWORD)
        worker.save()
    case_pk = Case.objects.filter(commune=commune, status="active").order_by("pk")[5].pk
    for label, user, path in (
        ("province admin /cases/ page 1 (20,000 F0)", admin, "/cases/"),
        ("commune worker /cases/ page 1 (2,000 F0)", worker, "/cases/"),
        ("commune worker F0 page /cases/<id>/", worker, f"/cases/{case_pk}/"),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(path).status_code == 200, path  # warm, and the page works
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        times, cpu, pg = [], time.process_time(), backend_cpu(pid)
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        cpu = (time.process_time() - cpu) / REPEAT * 1000
        pg = (backend_cpu(pid) - pg) / REPEAT * 1000
        print(
            f"  {label:<45} p50 {statistics.median(times):7.1f} ms  "
            f"CPU/request: python {cpu:6.1f} ms, PostgreSQL {pg:6.1f} ms  "
            f"load {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
