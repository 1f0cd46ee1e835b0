import pytest
from django.core.cache import cache
from django.test import RequestFactory

from phongdich.lib.ratelimit import allow, client_ip


@pytest.fixture(autouse=True)
def _clear_cache():
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
