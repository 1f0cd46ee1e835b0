"""Fixtures shared by every app's tests."""

import os
import shutil

import pytest

from phongdich import testing

# Live-server browser tests touch the ORM from Playwright's sync API inside an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def world(db):
    return testing.make_world()


@pytest.fixture
def staff(world):
    return testing.make_staff(world)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests create many users. Production keeps Argon2 first.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_lockout_between_tests(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    # The database cache rolls back with each test; Redis (REDIS_URL, a database of its own
    # for the tests: .ci/run uses /15) keeps counters, so empty it before each test.
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        from django.core.cache import cache

        cache.clear()


# --- Browser tests (pytest-playwright driving Debian's Chromium) ---------------------------


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    for item in items:
        if "page" in getattr(item, "fixturenames", ()) or item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download does not work here; use the Debian package.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def login(live_server, page):
    """Log a user in through the real login form; returns a function(user)."""

    def do_login(user):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", testing.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/home/")
        return page

    return do_login
