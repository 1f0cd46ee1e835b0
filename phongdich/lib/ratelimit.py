"""A small limiter for public endpoints (fixed window per key), shared by all processes.

Citizens' forms and personal links have no login, so each is limited per client address
(and, where it helps, per link) to keep a script from flooding a commune's queue.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


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
    The cache is shared by every worker process (settings.CACHES).
    """
    window = int(time.time() // window_seconds)
    key = f"rl:{key}:{window}"
    if cache.add(key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired (or culled) between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return limit >= 1
    return count <= limit


def allow(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """True while the client address has made at most `limit` calls to `scope` this window."""
    address = client_ip(request) or "unknown"
    return allow_key(f"{scope}:{address}", limit=limit, window_seconds=window_seconds)
