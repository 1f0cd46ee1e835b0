"""A small limiter for public endpoints (fixed window per key), shared by all processes.

Citizens' forms and personal links have no login, so each is limited per client address
(and, where it helps, per link) to keep a script from flooding a commune's queue.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def client_ip(request) -> str:
    """The client's address, the one key for the audit trail, rate limits and the login
    lockout (settings point django-axes here too).

    Behind the reverse proxy of docs/operations.md every request arrives from the proxy, so
    the proxy's X-Real-IP names the client. The header is believed only when
    TRUST_PROXY_HEADERS says a proxy is in front and the request really comes from one of
    TRUSTED_PROXIES, and only if it is one well-formed address: otherwise any client could
    pick a fresh address for every request and escape every limit.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "TRUST_PROXY_HEADERS", False) and remote in getattr(
        settings, "TRUSTED_PROXIES", ()
    ):
        real_ip = request.META.get("HTTP_X_REAL_IP", "").strip()
        try:
            return str(ipaddress.ip_address(real_ip))
        except ValueError:
            pass
    return remote


def allow_key(key: str, *, limit: int, window_seconds: int) -> bool:
    """True while `key` has been used at most `limit` times in the current window.

    Windows are aligned to the clock and named in the key, so a counter that somehow lost its
    expiry (Redis INCR on a key that expired a moment before) can never block the next window.
    The counter is shared by every worker process: Redis when settings.CACHES points there
    (atomic INCR), else one row of lib.RateCounter counted by a single upsert.
    """
    window = int(time.time() // window_seconds)
    if not _cache_is_redis():
        return _hit_row(key, (window + 1) * window_seconds) <= limit
    key = f"rl:{key}:{window}"
    if cache.add(key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return limit >= 1
    return count <= limit


def allow_keys(buckets: list[tuple[str, int, int]]) -> bool:
    """True while every bucket (key, limit, window_seconds) is within its limit.

    Every bucket is counted, even when an earlier one is already over (a hit is a hit).
    Without Redis all of them are ONE statement: the citizen's check paid an upsert per
    bucket. Keys are counted in sorted order so two requests never take the rows' locks in
    opposite orders.
    """
    now = time.time()
    if _cache_is_redis():
        results = [
            allow_key(key, limit=limit, window_seconds=window) for key, limit, window in buckets
        ]
        return all(results)
    ends = {key[:250]: (int(now // window) + 1) * window for key, _limit, window in buckets}
    limits = {key[:250]: limit for key, limit, _window in buckets}
    counts = _hit_rows(sorted(ends.items()))
    return all(counts[key] <= limits[key] for key in limits)


def _cache_is_redis() -> bool:
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


def _hit_row(key: str, window_ends: int) -> int:
    """Count one hit on `key` in the window closing at `window_ends` and return the count.

    One statement on both databases: the insert's conflict takes the row lock on PostgreSQL
    (SQLite holds its write lock for the statement), so concurrent hits are all counted, and a
    row left from an earlier window starts again at 1.
    """
    from phongdich.lib.models import RateCounter

    quote = connection.ops.quote_name
    table, k, ends, hits = (
        quote(name) for name in (RateCounter._meta.db_table, "key", "window_ends", "hits")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {ends}, {hits}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{hits} = CASE WHEN {table}.{ends} = excluded.{ends} THEN {table}.{hits} + 1 "
            f"ELSE 1 END, {ends} = excluded.{ends} "
            f"RETURNING {hits}",
            [key[:250], window_ends],
        )
        return cursor.fetchone()[0]


def _hit_rows(rows: list[tuple[str, int]]) -> dict[str, int]:
    """_hit_row for several (key, window_ends) at once: {key: count}, one statement."""
    from phongdich.lib.models import RateCounter

    quote = connection.ops.quote_name
    table, k, ends, hits = (
        quote(name) for name in (RateCounter._meta.db_table, "key", "window_ends", "hits")
    )
    values = ", ".join(["(%s, %s, 1)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {ends}, {hits}) VALUES {values} "
            f"ON CONFLICT ({k}) DO UPDATE SET "
            f"{hits} = CASE WHEN {table}.{ends} = excluded.{ends} THEN {table}.{hits} + 1 "
            f"ELSE 1 END, {ends} = excluded.{ends} "
            f"RETURNING {k}, {hits}",
            [value for row in rows for value in row],
        )
        return dict(cursor.fetchall())


def prune(*, older_than_seconds: int = 86_400) -> int:
    """Delete counters whose window closed more than `older_than_seconds` ago."""
    from phongdich.lib.models import RateCounter

    deleted, _ = RateCounter.objects.filter(
        window_ends__lt=int(time.time()) - older_than_seconds
    ).delete()
    return deleted


def reset() -> None:
    """Every counter starts again (tests, and an operator lifting a mistaken block)."""
    from phongdich.lib.models import RateCounter

    RateCounter.objects.all().delete()


def allow(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """True while the client address has made at most `limit` calls to `scope` this window."""
    address = client_ip(request) or "unknown"
    return allow_key(f"{scope}:{address}", limit=limit, window_seconds=window_seconds)
