from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "phongdich.stats"
    verbose_name = "Số liệu tổng hợp"

    def ready(self):
        from phongdich.web.home_panels import FIGURES_TEMPLATE, Panel
        from phongdich.web.home_panels import register as register_panel
        from phongdich.web.navigation import NavItem, register

        from .panels import build_panel

        register_panel(Panel(FIGURES_TEMPLATE, DASHBOARD_ROLES, build_panel, 5))

        register(NavItem(_("Bảng điều hành"), "stats:dashboard", DASHBOARD_ROLES, 5))
        register(NavItem(_("Số liệu theo địa bàn"), "stats:overview", OVERVIEW_ROLES, 70))


# Roles that see aggregate figures (no personal data on these pages).
OVERVIEW_ROLES = (
    "province_admin",
    "committee_member",
    "health_officer",
    "commune_health_worker",
    "directive_clerk",
)

# The committee's dashboard: the committee and the health department (province or district).
DASHBOARD_ROLES = ("province_admin", "committee_member", "health_officer")
