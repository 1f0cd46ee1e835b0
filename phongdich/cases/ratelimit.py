"""A small cache-based limiter for public POST endpoints (per client IP and scope)."""

from django.core.cache import cache


def client_ip(request) -> str:
    # Behind the reverse proxy the real client is the first X-Forwarded-For hop; the proxy
    # overwrites the header, so a client cannot choose its own bucket.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def allow(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """True while the client has made fewer than `limit` calls in the current window."""
    key = f"rl:{scope}:{client_ip(request)}"
    if cache.add(key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return True
    return count <= limit
