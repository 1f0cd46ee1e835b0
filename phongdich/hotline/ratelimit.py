"""A small cache-based limiter for public POST endpoints (fixed window per client IP)."""

import hashlib

from django.core.cache import cache


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request, scope: str, *, limit: int, window_seconds: int) -> bool:
    """True while the client stays under `limit` hits in the current window."""
    ident = hashlib.sha256(f"{scope}|{client_ip(request)}".encode()).hexdigest()[:32]
    key = f"hotline-rl:{ident}"
    added = cache.add(key, 1, timeout=window_seconds)
    if added:
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return True
    return count <= limit
