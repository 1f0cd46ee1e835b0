from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "phongdich.stats"
    verbose_name = "Số liệu tổng hợp"

    def ready(self):
        from phongdich.web.navigation import NavItem, register

        register(NavItem(_("Số liệu theo địa bàn"), "stats:overview", OVERVIEW_ROLES, 70))


# Roles that see aggregate figures (no personal data on these pages).
OVERVIEW_ROLES = (
    "province_admin",
    "committee_member",
    "health_officer",
    "commune_health_worker",
    "directive_clerk",
)
