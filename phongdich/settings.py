"""phongdich settings: one module, configured from environment variables.

Defaults suit a developer's machine (SQLite, DEBUG on). With DEBUG off, the
production-safe values switch on (secure cookies, HSTS, strict hosts) and a real
SECRET_KEY is required, except under PHONGDICH_LOCAL_RUN (`make run`: DEBUG off for the
app's own error pages, plain http on localhost).
"""

import importlib.util
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str, *, debug: bool) -> dict:
    """Parse DATABASE_URL (sqlite:///path or postgres://user:pass@host:port/name).

    Connections persist for a minute in production (gunicorn's workers reuse them; see
    docs/operations.md for pooling). In development they close after each request: runserver
    serves every request in a new thread, and a persistent connection per thread exhausted a
    shared PostgreSQL's connection slots.
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        # sqlite:///relative.db keeps a leading slash; treat a bare file name as repo-relative.
        name = path[1:] if path.startswith("/") and "/" not in path[1:] else path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / name if not Path(name).is_absolute() else name,
            "OPTIONS": {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"},
        }
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "phongdich",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", 0 if debug else 60),
            "CONN_HEALTH_CHECKS": True,
            # Required behind pgbouncer in transaction pooling: a server-side cursor
            # (QuerySet.iterator()) outlives the transaction the pooler lent the connection for.
            "DISABLE_SERVER_SIDE_CURSORS": envbool("DB_DISABLE_SERVER_SIDE_CURSORS", False),
            "TEST": {"NAME": os.environ.get("DATABASE_TEST_NAME") or None},
        }
    raise ImproperlyConfigured(f"Unsupported DATABASE_URL scheme: {parsed.scheme!r}")


DEBUG = envbool("DEBUG", True)
# `make run` on one's own machine: DEBUG off (the app's own error pages, not Django's debug
# page listing every URL) but still plain http on localhost, console mail and static files
# from the apps. Never set in production: the secure settings below are skipped with it.
LOCAL_RUN = envbool("PHONGDICH_LOCAL_RUN", False)
DEV_MACHINE = DEBUG or LOCAL_RUN
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEV_MACHINE:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
# Keys the permutation behind citizens' reference numbers (lib.references). Must never change
# once references were handed out; derived from SECRET_KEY when empty.
REFERENCE_KEY = os.environ.get("REFERENCE_KEY", "")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEV_MACHINE else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# True when a reverse proxy in front sets X-Real-IP (audit trail, rate limits, login lockout:
# lib.ratelimit.client_ip). The header is believed only from the proxies' own addresses.
TRUST_PROXY_HEADERS = envbool("TRUST_PROXY_HEADERS", not DEV_MACHINE)

# The five annotated steering-committee conclusions (shared material beside the checkout).
# The demo imports them; the extractor's tests score against them. CI sets
# PHONGDICH_REQUIRE_SEEDS so a missing folder fails the run instead of skipping the tests.
SEEDS_DIR = Path(os.environ.get("PHONGDICH_SEEDS_DIR") or BASE_DIR.parent / "shared" / "seeds")
REQUIRE_SEEDS = envbool("PHONGDICH_REQUIRE_SEEDS", False)
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "127.0.0.1,::1")
# Every absolute link (citizen links, QR codes, e-mails) starts with SITE_URL: lib.urls.
# Empty in development: links then follow the request's own host and port; background jobs
# (no request) use DEV_SITE_URL, the address `make run` serves on.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
DEV_SITE_URL = os.environ.get("DEV_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL and not DEV_MACHINE:
    raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off (links sent to citizens)")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "phongdich.lib",
    "phongdich.geo",
    "phongdich.accounts",
    "phongdich.audit",
    "phongdich.people",
    "phongdich.facilities",
    "phongdich.web",
    "phongdich.demo",
    "phongdich.schedule",
    "phongdich.stats",
    "phongdich.policy",
]
# Domain apps built on the foundation register themselves here as they land.
# PHONGDICH_APPS narrows the set (e.g. "cases,hotline") for a slimmer deployment or a test run.
DOMAIN_APPS = envlist(
    "PHONGDICH_APPS",
    "cases,hotline,checkpoints,directives,vaccination,supplies,reports,"
    "quarantine,tracing,labtests,zones,levels",
)
# The F0 app keeps its lab results in labtests and labtests opens cases through the F0 app:
# one is never installed without the other.
if ("cases" in DOMAIN_APPS) != ("labtests" in DOMAIN_APPS):
    DOMAIN_APPS = [*DOMAIN_APPS, "labtests" if "cases" in DOMAIN_APPS else "cases"]
for optional_app in DOMAIN_APPS:
    if (BASE_DIR / "phongdich" / optional_app / "apps.py").exists():
        INSTALLED_APPS.append(f"phongdich.{optional_app}")

MIDDLEWARE = [
    "phongdich.web.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "phongdich.web.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "phongdich.web.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "phongdich.audit.middleware.RequestContextMiddleware",
    # Axes must be last so it sees the final authentication outcome.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "phongdich.urls"
WSGI_APPLICATION = "phongdich.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "phongdich.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"), debug=DEBUG
    )
}
# A streaming replica for dashboards and exports (lib/replica.py); without it every read
# goes to the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(os.environ["DATABASE_REPLICA_URL"], debug=DEBUG)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["phongdich.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account after repeated failures (django-axes); keyed on user name + IP so one
# attacker cannot lock every officer out from a single address.
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
# The same client address as the audit trail and the rate limits: behind the proxy, the client
# (not the proxy, which would lock every officer out at once).
AXES_CLIENT_IP_CALLABLE = "phongdich.lib.ratelimit.client_ip"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "phongdich" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy everywhere, whatever the active language.
FORMAT_MODULE_PATH = ["phongdich.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The one copy of Leaflet the level and zone maps load is django-leaflet's (served by the
# platform, never from a CDN). Its static folder is added by path, not as an app: the app's
# admin module imports GeoDjango, which needs the GDAL library this platform does not use.
STATICFILES_DIRS = [
    Path(path) / "static"
    for path in importlib.util.find_spec("leaflet").submodule_search_locations
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Locally, `runserver --insecure` serves the apps' static folders as they are.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEV_MACHINE
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Past this size an uploaded file's bytes are dropped as they arrive (lib.imports.
# UploadCapHandler): it is never held in memory or on disk, and the view sees its size only.
# Every feature refuses far smaller files by that size (imports 5 MB, documents 10 MB).
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# The same reader shown the same records by the same page again within this window adds no
# read event (the F0 queue refreshes itself every 15 seconds); 0 records every request.
AUDIT_READ_REPEAT_SECONDS = envint("AUDIT_READ_REPEAT_SECONDS", 600)
FILE_UPLOAD_HANDLERS = [
    "phongdich.lib.imports.UploadCapHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A worker renews the lease of the job it runs every TASKS_HEARTBEAT_SECONDS; a running job
# whose lease is older than TASKS_LEASE_SECONDS was abandoned (its worker was killed) and the
# reaper queues it again, up to TASKS_MAX_ATTEMPTS runs in all. On SQLite the lease must also
# outlast the longest write transaction, which delays the heartbeat's write.
TASKS_HEARTBEAT_SECONDS = float(os.environ.get("TASKS_HEARTBEAT_SECONDS") or 10)
TASKS_LEASE_SECONDS = float(os.environ.get("TASKS_LEASE_SECONDS") or 60)
TASKS_MAX_ATTEMPTS = envint("TASKS_MAX_ATTEMPTS", 3)
# Finished job results are pruned daily after this many days (failed ones kept longer).
TASKS_KEEP_DAYS = envint("TASKS_KEEP_DAYS", 14)
TASKS_KEEP_FAILED_DAYS = envint("TASKS_KEEP_FAILED_DAYS", 90)
# Background XLSX exports (lib.exports) stay downloadable this long, then their files go.
EXPORT_KEEP_HOURS = envint("EXPORT_KEEP_HOURS", 24)
# The dose API's calls per account and minute (vaccination.api): a bulk backfill raises them.
VACCINATION_API_POST_LIMIT = envint("VACCINATION_API_POST_LIMIT", 120)
VACCINATION_API_READ_LIMIT = envint("VACCINATION_API_READ_LIMIT", 300)
# The province's channel for dose reminders ("sms" or "zalo") for people who chose none on
# their vaccination record; a person's own choice (vaccination.ReminderChannel) wins.
VACCINATION_REMINDER_CHANNEL = os.environ.get("VACCINATION_REMINDER_CHANNEL", "sms")

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEV_MACHINE
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "phongdich <noreply@localhost>")

# Shared by every worker process (rate limits must hold across all of them): Redis when
# REDIS_URL is set, else a table in the main database (created by `migrate`).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "phongdich.lib.cache.DatabaseCache",
            "LOCATION": "phongdich_cache",
            # Culling deletes a third of the rows once the table is full, live counters
            # included: leave room for one counter per client and form.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Content Security Policy: everything is served locally (no CDN), so 'self' suffices.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEV_MACHINE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_REFERRER_POLICY = "same-origin"

# Which administrative dataset this deployment runs on (see phongdich/geo/data).
GEO_DATASET = os.environ.get("GEO_DATASET", "2021")
# GSO code of the province this deployment serves (38: Thanh Hóa). Its communes are loaded;
# other provinces only with their districts (travellers' origins).
HOME_PROVINCE_CODE = os.environ.get("HOME_PROVINCE_CODE", "38")
# The local hour from which the daily job drafts the committee's briefing of the day before.
BRIEFING_DRAFT_HOUR = envint("BRIEFING_DRAFT_HOUR", 6)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
