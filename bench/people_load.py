"""People load at province scale on PostgreSQL.

Generates the demo's synthetic people for Thanh Hóa (scale 1 = 3,640,128), then loads the
same rows through the platform's bulk path (COPY into people_person, then its constraints
and indexes rebuilt and checked, demo.rebuild) and through a raw COPY into a bare table
with no index (the floor no ORM path can beat), alternating `--rounds` times. Prints people
per second, the ratio, each step of the platform's path (`--steps`), the CPU seconds of the
client and of its PostgreSQL backend, the parallel index-build workers' CPU (sampled every
0.2 s from /proc, so a worker's last fraction of a second is missed), and the load
average: on a shared machine wall time swings with the load, CPU does not.

    .venv/bin/python bench/people_load.py [--scale 1] [--rounds 1] [--maintained] [--steps]
        [--database-url postgres://...]

`--maintained` also times the COPY with every index kept and maintained row by row.
"""

import argparse
import inspect
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--maintained", action="store_true")
    parser.add_argument("--steps", action="store_true")
    parser.add_argument("--database-url", default=common.PG_URL)
    args = parser.parse_args()
    common.django_setup(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from phongdich.demo.loader import bulk_load_people
    from phongdich.demo.services import PROVINCE_CODE, assign_populations
    from phongdich.demo.synthetic import PeopleGenerator
    from phongdich.geo.models import AdminUnit
    from phongdich.geo.services import geography_load
    from phongdich.people.models import Person

    call_command("migrate", verbosity=0)
    if not AdminUnit.objects.filter(code=PROVINCE_CODE).exists():
        geography_load(dataset="2021", province=PROVINCE_CODE)
    province = AdminUnit.objects.get(code=PROVINCE_CODE)
    assign_populations(1, province)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE people_person CASCADE")
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()

    def cpu_of(process: int) -> float:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def backend_cpu() -> float:
        return cpu_of(pid)

    workers = WorkerSampler(args.database_url, pid, cpu_of)

    communes = list(
        AdminUnit.objects.filter(path__startswith=province.path, kind="commune").order_by("code")
    )
    started = time.perf_counter()
    generator = PeopleGenerator(1, province.code)
    rows = [r for c in communes for r in generator.people(c.pk, round(c.population * args.scale))]
    generate_s = time.perf_counter() - started
    n = len(rows)
    print(f"generated {n:,} people in {generate_s:.1f} s ({n / generate_s:,.0f}/s)")
    # An older loader (the "before" of a comparison) takes no timings.
    takes_timings = "timings" in inspect.signature(bulk_load_people).parameters

    def run(**kwargs) -> tuple[float, float, float, dict]:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # each run starts with no dirty pages of the last
        timings: dict[str, float] = {}
        if takes_timings:
            kwargs["timings"] = timings
        wall, client, backend = time.perf_counter(), time.process_time(), backend_cpu()
        with workers:
            bulk_load_people(iter(rows), **kwargs)
        timings["(parallel workers' CPU)"] = workers.seconds
        return (
            time.perf_counter() - wall,
            time.process_time() - client,
            backend_cpu() - backend + workers.seconds,
            timings,
        )

    def truncate() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE people_person CASCADE")

    def bare_table() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_people_bare")
            cursor.execute(
                "CREATE TABLE bench_people_bare (LIKE people_person "
                "INCLUDING DEFAULTS EXCLUDING INDEXES EXCLUDING CONSTRAINTS)"
            )
            cursor.execute("ALTER TABLE bench_people_bare ALTER COLUMN id DROP NOT NULL")

    def show(label: str, result, load: str) -> None:
        seconds, client, backend, _timings = result
        print(
            f"{label:<43}{n / seconds:>9,.0f} people/s ({seconds:.1f} s; CPU client "
            f"{client:.1f} s, backend and workers {backend:.1f} s; {load})"
        )

    if args.maintained:
        truncate()
        show("COPY, indexes maintained row by row:", run(), common_load())
        truncate()
    platform, floor = [], []
    for _ in range(args.rounds):
        truncate()
        platform.append(run(rebuild_indexes=True))
        show("platform path (COPY, then rebuild):", platform[-1], common_load())
        assert Person.objects.count() == n
        if args.steps:
            for step, seconds in platform[-1][3].items():
                print(f"    {step:<52} {seconds:7.2f} s")
        bare_table()
        floor.append(run(table="bench_people_bare"))
        show("floor (raw COPY into a bare table):", floor[-1], common_load())
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_people_bare")
    platform_s = statistics.median(r[0] for r in platform)
    bare_s = statistics.median(r[0] for r in floor)
    print(f"ratio platform/floor throughput (median of {args.rounds}): {bare_s / platform_s:.2f}")
    cpu = statistics.median(r[1] + r[2] for r in platform)
    floor_cpu = statistics.median(r[1] + r[2] for r in floor)
    print(f"ratio in CPU (client + backend): {floor_cpu / cpu:.2f}")
    print(f"end to end incl. generation: {n / (generate_s + platform_s):,.0f} people/s")


class WorkerSampler:
    """While entered, reads the CPU seconds of the backend's parallel workers (the index
    builds' sorts) every 0.2 s on a connection of its own; `seconds` sums each worker's
    last reading."""

    def __init__(self, url: str, leader: int, cpu_of):
        self.url, self.leader, self.cpu_of = url, leader, cpu_of
        self.seconds = 0.0

    def __enter__(self):
        import psycopg

        self.conn = psycopg.connect(url_for_psycopg(self.url), autocommit=True)
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while not self.stop.wait(0.2):
            pids = self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE leader_pid = %s AND pid <> %s",
                [self.leader, self.leader],
            ).fetchall()
            for (worker,) in pids:
                try:
                    self.seen[worker] = self.cpu_of(worker)
                except (FileNotFoundError, ProcessLookupError):
                    pass  # ended between the query and the read

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.conn.close()
        self.seconds = sum(self.seen.values())
        return False


def url_for_psycopg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def common_load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


if __name__ == "__main__":
    main()
