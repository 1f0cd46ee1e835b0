"""A small cache-based limiter for public POST endpoints (per client IP and scope)."""

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    # X-Forwarded-For is trusted only when the deployment says a proxy sets it
    # (SECURE_PROXY_SSL_HEADER is configured with DEBUG off); otherwise a client could pick
    # a fresh bucket for every request.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def allow(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """True while the client IP has made at most `limit` calls in the current window."""
    return allow_key(f"{scope}:{client_ip(request)}", limit=limit, window_seconds=window_seconds)


def allow_key(key: str, *, limit: int, window_seconds: int) -> bool:
    """True while `key` has been used at most `limit` times in the current window."""
    key = f"rl:{key}"
    if cache.add(key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return True
    return count <= limit
