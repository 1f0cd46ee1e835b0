"""Absolute links follow SITE_URL when configured, else the request's host (development)."""

import pytest
from django.test import RequestFactory

from phongdich.lib.urls import absolute_url


@pytest.mark.parametrize(
    ("site_url", "host", "expected"),
    [
        ("https://covid.example.gov.vn", "127.0.0.1:8123", "https://covid.example.gov.vn/a/b/?x=1"),
        (
            "https://covid.example.gov.vn/",
            "127.0.0.1:8123",
            "https://covid.example.gov.vn/a/b/?x=1",
        ),
        ("https://example.vn/sub", "testserver", "https://example.vn/sub/a/b/?x=1"),
        ("", "127.0.0.1:8123", "http://127.0.0.1:8123/a/b/?x=1"),
        ("", "localhost:9000", "http://localhost:9000/a/b/?x=1"),
    ],
)
def test_absolute_url_follows_site_url_else_the_request(settings, site_url, host, expected):
    settings.SITE_URL = site_url
    settings.ALLOWED_HOSTS = ["*"]
    request = RequestFactory().get("/", HTTP_HOST=host)
    assert absolute_url("/a/b/?x=1", request) == expected


def test_without_request_or_site_url_the_dev_address_is_used(settings):
    settings.SITE_URL = ""
    settings.DEV_SITE_URL = "http://127.0.0.1:8177/"
    assert absolute_url("a/") == "http://127.0.0.1:8177/a/"
    settings.SITE_URL = "https://covid.example.gov.vn"
    assert absolute_url("/a/") == "https://covid.example.gov.vn/a/"


def test_the_hotline_citizen_link_follows_the_request_host(settings):
    from phongdich.hotline.services import citizen_url

    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["*"]
    request = RequestFactory().get("/", HTTP_HOST="10.0.0.5:8150")
    assert citizen_url("tok", request).startswith("http://10.0.0.5:8150/")
    settings.SITE_URL = "https://covid.example.gov.vn"
    assert citizen_url("tok", request).startswith("https://covid.example.gov.vn/")


def test_no_module_joins_site_url_by_hand():
    """Every absolute link goes through lib.urls; a by-hand join or a fixed port comes back."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        if path.name != "urls.py" or path.parent.name != "lib":
            if "settings.SITE_URL" in text or "build_absolute_uri(" in text or ":8000" in text:
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
