"""The JSON API (django-ninja). OpenAPI docs at /api/docs.

Two ways in: the web session (with CSRF) for the site's own pages, and hashed bearer tokens
for integrations. Every router declares its roles; nothing is open unless it says so.

Every error has one shape, `{"detail": "…", "errors": [{"field", "message"}]}`
(`lib/apierrors.py`), and every operation documents each status code it returns.
"""

from django.apps import apps
from django.db import connection
from django.utils.module_loading import import_string, module_has_submodule
from ninja import NinjaAPI, Router, Schema

from phongdich.accounts.api_auth import API_AUTH, TokenAuth  # noqa: F401 (re-exported)
from phongdich.lib import apierrors

AUTH = API_AUTH

api = NinjaAPI(
    title="phongdich API",
    version="1",
    description="API của nền tảng phòng chống dịch. Xác thực bằng phiên đăng nhập hoặc "
    "khóa API (Authorization: Bearer pd_...). Mọi lỗi trả về JSON dạng "
    '{"detail": "…", "errors": [{"field": "…", "message": "…"}]}.',
    auth=AUTH,
    urls_namespace="api",
)
apierrors.install(api)


class HealthOut(Schema):
    status: str
    database: str


health_router = Router(tags=["health"])


# 400: a URL with a NUL character is refused before any operation runs (web.middleware).
@health_router.get(
    "/health", auth=None, response={200: HealthOut, 400: apierrors.Error, 503: HealthOut}
)
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy; the probe needs no detail
        return 503, {"status": "error", "database": "unavailable"}
    return {"status": "ok", "database": connection.vendor}


class PingOut(Schema):
    ping: str


@health_router.get("/ping", auth=None, response={200: PingOut, 400: apierrors.Error})
def ping(request):
    """A trivial endpoint: benchmarks measure it as their same-run baseline (bench/common.py)."""
    return {"ping": "pong"}


api.add_router("", health_router)
api.add_router("/people", "phongdich.people.api.router")

# Domain apps that exist mount their routers (`<app>/api.py` with `router`).
for app in ("cases", "hotline", "checkpoints", "directives", "vaccination", "labtests"):
    if apps.is_installed(f"phongdich.{app}") and module_has_submodule(
        apps.get_app_config(app).module, "api"
    ):
        api.add_router(f"/{app}", import_string(f"phongdich.{app}.api.router"))
