"""`make run` on a newcomer's machine: DEBUG off by default, so the app's own error pages
(not Django's debug page listing every URL), static files and a favicon still served."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from django.conf import settings

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, "
    "getattr(s, 'SECURE_SSL_REDIRECT', False), s.EMAIL_BACKEND, "
    "s.STORAGES['staticfiles']['BACKEND']]))"
)


def _environ(**env) -> dict:
    drop = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PHONGDICH_LOCAL_RUN", "EMAIL_BACKEND"}
    environ = {k: v for k, v in os.environ.items() if k not in drop}
    environ.update(DJANGO_SETTINGS_MODULE="phongdich.settings", **env)
    return environ


def _settings_in_a_fresh_process(**env):
    out = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env=_environ(**env),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    return out.returncode, out.stdout, out.stderr


def test_make_run_turns_debug_off_but_stays_on_plain_http_locally():
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    assert "DEBUG ?= 0" in makefile and "PHONGDICH_LOCAL_RUN=1 DEBUG=$(DEBUG)" in makefile
    assert "runserver --insecure" in makefile
    code, out, err = _settings_in_a_fresh_process(DEBUG="0", PHONGDICH_LOCAL_RUN="1")
    assert code == 0, err
    debug, hosts, secure_cookie, ssl_redirect, email, storage = json.loads(out)
    assert debug is False
    assert "127.0.0.1" in hosts and "localhost" in hosts
    assert not secure_cookie and not ssl_redirect  # logging in over http://127.0.0.1 works
    assert email.endswith("console.EmailBackend")
    assert storage.endswith("StaticFilesStorage") and "Manifest" not in storage


def test_production_without_the_local_flag_still_requires_its_secret():
    code, _out, err = _settings_in_a_fresh_process(DEBUG="0")
    assert code != 0 and "SECRET_KEY must be set" in err
    code, out, err = _settings_in_a_fresh_process(DEBUG="0", SECRET_KEY="x" * 50)
    assert code == 0, err
    debug, hosts, secure_cookie, ssl_redirect, _email, storage = json.loads(out)
    assert (debug, hosts, secure_cookie, ssl_redirect) == (False, [], True, True)
    assert "Manifest" in storage


def test_the_favicon_answers_and_every_page_links_it(client, db, settings):
    settings.DEBUG = False
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert (
        '<link rel="icon" href="/static/web/favicon.ico"' in client.get("/login/").content.decode()
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_the_local_server_shows_its_own_404_static_files_and_favicon(tmp_path):
    """The server exactly as `make run` starts it (no database needed for these pages)."""
    port = _free_port()
    env = _environ(
        DEBUG="0",
        PHONGDICH_LOCAL_RUN="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--insecure", "--noreload", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        status, _type, body = _get(f"{base}/khong-co-trang-nay/")
        page = body.decode()
        assert status == 404 and "Không tìm thấy trang" in page
        assert "URLconf" not in page and "DEBUG = True" not in page
        assert _get(f"{base}/favicon.ico")[:2] == (200, "image/x-icon")
        status, content_type, _body = _get(f"{base}/static/web/app.css")
        assert status == 200 and content_type.startswith("text/css")
    finally:
        server.terminate()
        server.wait(timeout=10)
