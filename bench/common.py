"""Shared benchmark plumbing: a real gunicorn on loopback and latency statistics.

Benchmarks print figures and ratios against a baseline measured in the same run; they never
assert a verdict. Traffic goes to 127.0.0.1 only, bounded in count and time.
"""

import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/phongdich_bench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django_setup(database_url: str = PG_URL) -> None:
    """Configure Django in this process against `database_url` (created if missing)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    sys.path.insert(0, str(ROOT))
    ensure_postgres_database(database_url)
    import django

    django.setup()


def ensure_postgres_database(database_url: str) -> None:
    if not database_url.startswith("postgres"):
        return
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def recreate_database(database_url: str) -> None:
    """Drop and create the bench's own database (each script measures a fresh one)."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class Server(tuple):
    """What `gunicorn_server` yields: unpacks as (host, port), as every bench uses it, and
    carries the master process and the database name for the CPU meter (`load(cpu=...)`)."""

    def __new__(cls, host: str, port: int, process: subprocess.Popen, database_url: str):
        self = super().__new__(cls, (host, port))
        self.process = process
        self.database = database_url.rsplit("/", 1)[1]
        self.admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
        return self


TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def process_cpu_ticks(pid: int) -> int | None:
    """utime + stime of a process in clock ticks (/proc/<pid>/stat), None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), after "comm)"


def child_pids(pid: int) -> list[int]:
    """The gunicorn master's workers: every process whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(stat[1]) == pid:
            found.append(int(entry.name))
    return found


def backend_pids(server: Server) -> list[int]:
    """The PostgreSQL client backends connected to the bench's database (the workers' kept
    connections; an idle one of the bench process itself adds nothing to a delta)."""
    import psycopg

    with psycopg.connect(server.admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s"
            " AND backend_type = 'client backend'",
            [server.database],
        ).fetchall()
    return [pid for (pid,) in rows]


@dataclass
class CpuSnapshot:
    workers: dict[int, int]
    backends: dict[int, int]


def cpu_snapshot(server: Server) -> CpuSnapshot:
    def ticks(pids):
        return {pid: t for pid in pids if (t := process_cpu_ticks(pid)) is not None}

    return CpuSnapshot(ticks(child_pids(server.process.pid)), ticks(backend_pids(server)))


def cpu_seconds(before: CpuSnapshot, after: CpuSnapshot) -> tuple[float, float, int]:
    """(workers' CPU s, backends' CPU s, processes that ended inside the window).

    A process born inside the window counts whole; one that ended is lost (reported, so a
    figure missing a backend's work is not taken for a cheap request)."""

    def delta(old, new):
        return sum(t - old.get(pid, 0) for pid, t in new.items()) / TICKS_PER_SECOND

    gone = len(set(before.workers) - set(after.workers))
    gone += len(set(before.backends) - set(after.backends))
    return delta(before.workers, after.workers), delta(before.backends, after.backends), gone


@contextlib.contextmanager
def gunicorn_server(
    database_url: str = PG_URL, workers: int = 2, threads: int = 1, root: Path = ROOT
):
    """Run the real WSGI stack (gunicorn, all middleware) on a loopback port; `root` serves
    another checkout of the code (an earlier commit, measured in the same run)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "ERROR",
    }
    if os.environ.get("BENCH_DEBUG") == "1":
        # The figures of earlier runs: DEBUG on, so a new database connection per request
        # (CONN_MAX_AGE 0) and every query kept in connection.queries.
        env["DEBUG"] = "1"
    else:
        # As deployed (docs/operations.md): DEBUG off, connections kept for a minute
        # (CONN_MAX_AGE 60). PHONGDICH_LOCAL_RUN keeps plain http on loopback and the apps'
        # static folders, as `make run` does, so no collectstatic is needed.
        env.update({"DEBUG": "0", "PHONGDICH_LOCAL_RUN": "1"})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "phongdich.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
    )
    try:
        # Two minutes: at a load of 15-18 on the two cores gunicorn took over 30 s to boot.
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                status, _ = request("127.0.0.1", port, "GET", "/api/ping")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield Server("127.0.0.1", port, proc, database_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workers still busy with a slow request
            proc.kill()
            proc.wait(timeout=10)


def request(
    host: str,
    port: int,
    method: str,
    path: str,
    body=None,
    headers=None,
    conn: http.client.HTTPConnection | None = None,
):
    own = conn is None
    conn = conn or http.client.HTTPConnection(host, port, timeout=30)
    payload = json.dumps(body).encode() if isinstance(body, dict | list) else body
    hdrs = {"Content-Type": "application/json"} if isinstance(body, dict | list) else {}
    hdrs.update(headers or {})
    conn.request(method, path, body=payload, headers=hdrs)
    response = conn.getresponse()
    data = response.read()
    if own:
        conn.close()
    return response.status, data


@dataclass
class Stats:
    label: str
    count: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    # CPU per request in ms (gunicorn workers, their PostgreSQL backends), when measured.
    app_cpu_ms: float | None = None
    db_cpu_ms: float | None = None
    lost_processes: int = 0

    @property
    def cpu_ms(self) -> float | None:
        if self.app_cpu_ms is None:
            return None
        return self.app_cpu_ms + self.db_cpu_ms

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        text = (
            f"{self.label:<40} {self.per_second:9.1f}/s  p50 {self.p50_ms:7.2f} ms  "
            f"p99 {self.p99_ms:7.2f} ms  n={self.count} errors={self.errors}"
        )
        if self.cpu_ms is not None:
            text += (
                f"  CPU {self.cpu_ms:6.2f} ms/req (gunicorn {self.app_cpu_ms:.2f}"
                f" + PostgreSQL {self.db_cpu_ms:.2f})"
            )
            if self.lost_processes:
                text += f" [{self.lost_processes} process(es) ended mid-run: CPU undercounted]"
        return text

    def ratios(self, baseline: "Stats") -> str:
        """Throughput ratio path/baseline and CPU ratio baseline/path (the issue's goal:
        ≥ 0.5 for both). The CPU ratio survives a shared machine; the throughput one not."""
        rate = self.per_second / baseline.per_second if baseline.per_second else 0.0
        text = f"throughput ratio to ping {rate:5.2f}"
        if self.cpu_ms and baseline.cpu_ms is not None:
            text += f"  CPU ratio ping/path {baseline.cpu_ms / self.cpu_ms:5.2f}"
        return text


def load(
    label: str,
    host: str,
    port: int,
    make_request: Callable[[int], tuple],
    total: int,
    concurrency: int = 4,
    max_seconds: float = 120,
    cpu: Server | None = None,
) -> Stats:
    """Send `total` requests from `concurrency` threads on keep-alive connections.

    `make_request(i)` returns (method, path, body, headers) for request i. With `cpu` (the
    server `gunicorn_server` yielded), also the CPU the workers and their PostgreSQL
    backends spent in the window, per request (/proc, clock ticks of 1/CLK_TCK s: run
    enough requests that a few ticks do not matter).
    """
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))
    stop_at = time.perf_counter() + max_seconds

    def worker():
        nonlocal errors
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.perf_counter() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body, headers = make_request(i)
            started = time.perf_counter()
            try:
                status, _ = request(host, port, method, path, body, headers, conn=conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status >= 400 or status == 0:
                    errors += 1
        conn.close()

    before = cpu_snapshot(cpu) if cpu is not None else None
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    cpu_fields = {}
    if before is not None:
        app_s, db_s, gone = cpu_seconds(before, cpu_snapshot(cpu))
        n = max(1, len(latencies))
        cpu_fields = {
            "app_cpu_ms": app_s * 1000 / n,
            "db_cpu_ms": db_s * 1000 / n,
            "lost_processes": gone,
        }
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0
    return Stats(
        label,
        len(latencies),
        seconds,
        statistics.median(latencies) if latencies else 0,
        p99,
        errors,
        **cpu_fields,
    )


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) of a list of milliseconds."""
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))]  # noqa: E731
    return statistics.median(ordered), pick(0.95), pick(0.99)
