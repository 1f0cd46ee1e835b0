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
        allow(_behind_proxy(f"203.0.113.{n}", proxy="198.51.100.7"), "form", limit=2,
              window_seconds=60)
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
