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
        yield "127.0.0.1", port
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

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.label:<40} {self.per_second:9.1f}/s  p50 {self.p50_ms:7.2f} ms  "
            f"p99 {self.p99_ms:7.2f} ms  n={self.count} errors={self.errors}"
        )


def load(
    label: str,
    host: str,
    port: int,
    make_request: Callable[[int], tuple],
    total: int,
    concurrency: int = 4,
    max_seconds: float = 120,
) -> Stats:
    """Send `total` requests from `concurrency` threads on keep-alive connections.

    `make_request(i)` returns (method, path, body, headers) for request i.
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

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0
    return Stats(
        label,
        len(latencies),
        seconds,
        statistics.median(latencies) if latencies else 0,
        p99,
        errors,
    )


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) of a list of milliseconds."""
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))]  # noqa: E731
    return statistics.median(ordered), pick(0.95), pick(0.99)
