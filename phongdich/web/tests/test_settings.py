"""Settings that depend on how the process is run (development server or production)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from phongdich.settings import database_from_url

POSTGRES = "postgres://phongdich@127.0.0.1:5432/phongdich"


def test_development_closes_the_connection_after_each_request(monkeypatch):
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    assert database_from_url(POSTGRES, debug=True)["CONN_MAX_AGE"] == 0


def test_production_keeps_connections_for_a_minute(monkeypatch):
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    assert database_from_url(POSTGRES, debug=False)["CONN_MAX_AGE"] == 60


def test_the_operator_can_choose(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", "0")
    assert database_from_url(POSTGRES, debug=False)["CONN_MAX_AGE"] == 0
    monkeypatch.setenv("DB_CONN_MAX_AGE", "300")
    assert database_from_url(POSTGRES, debug=True)["CONN_MAX_AGE"] == 300


def _conn_max_age_in_a_fresh_process(**env) -> int:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['CONN_MAX_AGE']))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DB_CONN_MAX_AGE"}
    environ.update(DJANGO_SETTINGS_MODULE="phongdich.settings", DATABASE_URL=POSTGRES, **env)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_settings_module_follows_debug():
    # runserver starts a thread per request; a persistent connection per thread is what
    # exhausted a shared PostgreSQL's connection slots.
    assert _conn_max_age_in_a_fresh_process(DEBUG="1") == 0
    assert (
        _conn_max_age_in_a_fresh_process(
            DEBUG="0", SECRET_KEY="x" * 50, SITE_URL="https://covid.example.gov.vn"
        )
        == 60
    )


def test_production_refuses_to_start_without_site_url():
    # Links sent to citizens would otherwise carry whatever host a request claimed.
    with pytest.raises(subprocess.CalledProcessError) as failed:
        _conn_max_age_in_a_fresh_process(DEBUG="0", SECRET_KEY="x" * 50, SITE_URL="")
    assert "SITE_URL must be set" in failed.value.stderr


def test_behind_a_transaction_pooler_server_side_cursors_can_be_switched_off(monkeypatch):
    monkeypatch.delenv("DB_DISABLE_SERVER_SIDE_CURSORS", raising=False)
    assert database_from_url(POSTGRES, debug=False)["DISABLE_SERVER_SIDE_CURSORS"] is False
    monkeypatch.setenv("DB_DISABLE_SERVER_SIDE_CURSORS", "1")
    assert database_from_url(POSTGRES, debug=False)["DISABLE_SERVER_SIDE_CURSORS"] is True


def test_a_kept_connection_is_checked_before_it_is_reused():
    # A pooler or a restarted PostgreSQL drops idle connections; the next request must not
    # fail on a dead one.
    assert database_from_url(POSTGRES, debug=False)["CONN_HEALTH_CHECKS"] is True
