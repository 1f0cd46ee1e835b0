from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.module_loading import module_has_submodule

from phongdich.api import api
from phongdich.web import views as web_views

urlpatterns = [
    path("", web_views.root, name="root"),
    path("home/", web_views.home, name="home"),
    path("ref/", web_views.reference_lookup, name="reference_lookup"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("people/", include("phongdich.people.urls")),
    path("accounts/", include("phongdich.accounts.urls")),
    path("audit/", include("phongdich.audit.urls")),
    path("units/", include("phongdich.geo.urls")),
    path("stats/", include("phongdich.stats.urls")),
    path("jobs/", include("phongdich.schedule.urls")),
    path("policy/", include("phongdich.policy.urls")),
    path("imports/", include("phongdich.lib.import_urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

# Domain apps mount their pages under their own prefix when present (`<app>/urls.py`).
for app in (
    "cases",
    "hotline",
    "checkpoints",
    "directives",
    "vaccination",
    "facilities",
    "supplies",
    "reports",
    "quarantine",
    "tracing",
    "labtests",
    "zones",
    "levels",
):
    if apps.is_installed(f"phongdich.{app}") and module_has_submodule(
        apps.get_app_config(app).module, "urls"
    ):
        urlpatterns.append(path(f"{app}/", include(f"phongdich.{app}.urls")))

handler400 = "phongdich.web.views.error_400"
handler403 = "phongdich.web.views.error_403"
handler404 = "phongdich.web.views.error_404"
handler500 = "phongdich.web.views.error_500"
