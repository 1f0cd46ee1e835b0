from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LevelsConfig(AppConfig):
    name = "phongdich.levels"
    verbose_name = "Cấp độ dịch"

    def ready(self):
        from phongdich.web.navigation import NavItem, register

        register(NavItem(_("Cấp độ dịch"), "levels:table", VIEW_ROLES, 8))
        register(NavItem(_("Bản đồ cấp độ dịch"), "levels:map", VIEW_ROLES, 9))

        from phongdich.web.home_panels import FIGURES_TEMPLATE, Panel
        from phongdich.web.home_panels import register as register_panel

        from . import panels

        register_panel(Panel(FIGURES_TEMPLATE, panels.PANEL_ROLES, panels.build_panel, 15))


# Levels are aggregates (no personal data): the roles that read the figures of their area.
VIEW_ROLES = (
    "province_admin",
    "committee_member",
    "health_officer",
    "commune_health_worker",
    "directive_clerk",
)
