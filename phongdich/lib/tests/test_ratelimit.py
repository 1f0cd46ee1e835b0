import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import RequestFactory

from phongdich.lib.ratelimit import allow, allow_key, client_ip

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


def test_it_allows_up_to_the_limit_per_address():
    factory = RequestFactory()
    first = factory.post("/", REMOTE_ADDR="10.0.0.1")
    other = factory.post("/", REMOTE_ADDR="10.0.0.2")
    assert [allow(first, "form", limit=3, window_seconds=60) for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert allow(other, "form", limit=3, window_seconds=60)
    assert allow(first, "another-form", limit=3, window_seconds=60)


def test_proxy_headers_count_only_behind_a_trusted_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    settings.TRUST_PROXY_HEADERS = False
    assert client_ip(request) == "127.0.0.1"
    settings.TRUST_PROXY_HEADERS = True
    assert client_ip(request) == "203.0.113.9"


def _behind_proxy(real_ip: str, proxy: str = "127.0.0.1"):
    return RequestFactory().post("/", REMOTE_ADDR=proxy, HTTP_X_REAL_IP=real_ip)


def test_behind_the_proxy_two_clients_are_limited_separately(settings):
    settings.TRUST_PROXY_HEADERS = True
    first, second = _behind_proxy("203.0.113.1"), _behind_proxy("203.0.113.2")
    assert [allow(first, "form", limit=2, window_seconds=60) for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert allow(second, "form", limit=2, window_seconds=60)


def test_without_a_proxy_a_forged_header_is_ignored(settings):
    settings.TRUST_PROXY_HEADERS = False
    # One client inventing a fresh address for every request still shares one counter.
    calls = [
        allow(
            _behind_proxy(f"203.0.113.{n}", proxy="198.51.100.7"),
            "form",
            limit=2,
            window_seconds=60,
        )
        for n in range(3)
    ]
    assert calls == [True, True, False]


def test_the_header_counts_only_from_a_configured_proxy(settings):
    settings.TRUST_PROXY_HEADERS = True
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_behind_proxy("203.0.113.9", proxy="198.51.100.7")) == "198.51.100.7"
    assert client_ip(_behind_proxy("203.0.113.9")) == "203.0.113.9"


def test_a_header_that_is_not_an_address_is_ignored(settings):
    settings.TRUST_PROXY_HEADERS = True
    assert client_ip(_behind_proxy("203.0.113.9, 10.0.0.1")) == "127.0.0.1"
    assert client_ip(_behind_proxy("<script>")) == "127.0.0.1"


# One process of the web server: allow `key` twice in a row (limit 2) and print the answers.
WORKER = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
django.setup()
from phongdich.lib.ratelimit import allow_key
import sys
print(" ".join(str(allow_key(sys.argv[1], limit=2, window_seconds=600)) for _ in range(2)))
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_counter(tmp_path):
    """gunicorn runs several worker processes: a limit must hold across all of them, so the
    counter lives in the database or Redis, not in one process's memory."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    else:  # the test database is in memory: give both processes one file
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "phongdich_lib", "-v", "0"],
            cwd=REPO,
            env=env,
            check=True,
        )
    key = f"shared-{uuid.uuid4().hex}"

    def worker():
        return subprocess.run(
            [sys.executable, "-c", WORKER, key],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()

    assert worker() == ["True", "True"]
    assert worker() == ["False", "False"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_the_limit():
    """Eight requests at once against a limit of five: exactly five pass (the increment is
    atomic in the database and in Redis)."""
    key, requests, limit = f"burst-{uuid.uuid4().hex}", 8, 5
    allow_key(key, limit=limit, window_seconds=600)  # the first one creates the counter
    if connection.vendor == "sqlite":
        answers = [allow_key(key, limit=limit, window_seconds=600) for _ in range(requests - 1)]
    else:
        barrier = threading.Barrier(requests - 1)
        answers = []

        def one_request():
            try:
                barrier.wait()
                answers.append(allow_key(key, limit=limit, window_seconds=600))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=one_request) for _ in range(requests - 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers.count(True) == limit - 1 and len(answers) == requests - 1


def test_without_redis_a_count_is_one_statement(settings, django_assert_num_queries):
    """The embedded default counts in lib.RateCounter: one upsert per hit (the database cache
    took a dozen statements: add, its cull check, a locked read and write)."""
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("this run counts in Redis")
    with django_assert_num_queries(1):
        assert allow_key("one-statement", limit=3, window_seconds=60)


def test_a_counter_left_from_an_earlier_window_starts_again(monkeypatch):
    from phongdich.lib import ratelimit

    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    monkeypatch.setattr(ratelimit, "_cache_is_redis", lambda: False)
    answers = [allow_key("windows", limit=2, window_seconds=60) for _ in range(3)]
    clock[0] += 60  # the next window
    answers.append(allow_key("windows", limit=2, window_seconds=60))
    assert answers == [True, True, False, True]


def test_prune_keeps_counters_of_open_windows(monkeypatch):
    from phongdich.lib import ratelimit
    from phongdich.lib.models import RateCounter

    now = 2_000_000
    monkeypatch.setattr(ratelimit.time, "time", lambda: float(now))
    RateCounter.objects.bulk_create(
        [
            RateCounter(key="closed-two-days-ago", window_ends=now - 2 * 86_400, hits=9),
            RateCounter(key="closed-an-hour-ago", window_ends=now - 3600, hits=9),
            RateCounter(key="open", window_ends=now + 60, hits=1),
        ]
    )
    assert ratelimit.prune() == 1
    assert set(RateCounter.objects.values_list("key", flat=True)) == {
        "closed-an-hour-ago",
        "open",
    }


def test_the_prune_is_a_daily_job():
    from datetime import timedelta

    from phongdich.schedule.jobs import JOBS

    job = next(job for job in JOBS if job.name == "lib.prune_rate_counters")
    assert job.every == timedelta(days=1)
    assert job.task_path == "phongdich.lib.tasks.prune_rate_counters"


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_on_one_row_are_all_counted():
    """The database counter under real threads (PostgreSQL): twelve hits at once, twelve
    counted, whatever the cache backend of this run."""
    from phongdich.lib import ratelimit

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    key, hits, ends = f"race-{uuid.uuid4().hex}", 12, int(time.time()) + 600
    barrier = threading.Barrier(hits)
    counts = []

    def one_hit():
        try:
            barrier.wait()
            counts.append(ratelimit._hit_row(key, ends))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_hit) for _ in range(hits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, hits + 1))


def test_several_buckets_are_counted_in_one_statement(
    monkeypatch, django_assert_num_queries
):
    """The citizen's check has two buckets (its link, its address): one upsert for both
    without Redis, both counted every time, and refused as soon as either is over."""
    from phongdich.lib import ratelimit

    monkeypatch.setattr(ratelimit, "_cache_is_redis", lambda: False)
    buckets = [("pair:link", 2, 60), ("pair:ip", 5, 60)]
    with django_assert_num_queries(1):
        assert ratelimit.allow_keys(buckets)
    assert ratelimit.allow_keys(buckets)
    assert not ratelimit.allow_keys(buckets)  # the link's third hit
    # The address was counted on every call, refused ones included.
    assert ratelimit._hit_rows([("pair:ip", int(time.time() // 60 + 1) * 60)]) == {"pair:ip": 4}
    assert not ratelimit.allow_keys([("pair:ip", 4, 60)])


def test_several_buckets_in_redis_are_each_limited():
    from phongdich.lib import ratelimit

    buckets = [(f"multi-{uuid.uuid4().hex}", 1, 60), (f"multi-{uuid.uuid4().hex}", 3, 60)]
    assert ratelimit.allow_keys(buckets)
    assert not ratelimit.allow_keys(buckets)
    assert ratelimit.allow_keys(buckets[1:])
