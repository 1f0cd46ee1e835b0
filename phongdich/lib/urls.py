"""Absolute links (citizen links, QR codes, e-mails): one place builds them all.

A link handed to a citizen (SMS, QR, printed paper) or put in an e-mail must point at the
address people actually reach, whatever port or proxy the server runs behind. In production
that is the configured SITE_URL; in development (no SITE_URL) the request says where the
server answers. Background jobs have no request: they fall back to DEV_SITE_URL, which only
development uses (settings refuse to start without SITE_URL when DEBUG is off, except
under PHONGDICH_LOCAL_RUN, the local `make run`).
"""

from django.conf import settings


def site_base(request=None) -> str:
    """The scheme and host every absolute link starts with, without a trailing slash."""
    configured = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.DEV_SITE_URL.rstrip("/")


def absolute_url(path: str, request=None) -> str:
    """`path` (from reverse(), may carry a query string) as a full link."""
    if not path.startswith("/"):
        path = "/" + path
    return site_base(request) + path
