"""A small cache-based limiter for public endpoints (fixed window per key).

Citizens' forms and personal links have no login, so each is limited per client address
(and, where it helps, per link) to keep a script from flooding a commune's queue.
"""

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address. Behind the reverse proxy (docs/operations.md) the proxy sets
    X-Real-IP; it is trusted only when TRUST_PROXY_HEADERS says a proxy is in front, since
    otherwise any client could choose a fresh address for every request."""
    if getattr(settings, "TRUST_PROXY_HEADERS", False):
        real_ip = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real_ip:
            return real_ip
    return request.META.get("REMOTE_ADDR", "")


def allow_key(key: str, *, limit: int, window_seconds: int) -> bool:
    """True while `key` has been used at most `limit` times in the current window."""
    key = f"rl:{key}"
    if cache.add(key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return limit >= 1
    return count <= limit


def allow(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """True while the client address has made at most `limit` calls to `scope` this window."""
    address = client_ip(request) or "unknown"
    return allow_key(f"{scope}:{address}", limit=limit, window_seconds=window_seconds)
