"""Keeps the current request's IP where services can reach it without passing `request`."""

import contextvars

from phongdich.lib.ratelimit import client_ip

current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request) or None)
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
