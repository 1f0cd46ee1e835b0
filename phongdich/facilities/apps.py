from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "phongdich.facilities"
    verbose_name = "Cơ sở điều trị và cách ly"

    def ready(self):
        from phongdich.accounts.models import Role
        from phongdich.web.home_panels import Panel
        from phongdich.web.home_panels import register as register_panel
        from phongdich.web.navigation import NavItem, register

        from . import panels
        from .selectors import BOARD_ROLES, EDITOR_ROLES

        register(
            NavItem(
                _("Cơ sở điều trị"), "facilities:list", (*EDITOR_ROLES, Role.FACILITY_OFFICER), 45
            )
        )
        register(NavItem(_("Bảng giường bệnh"), "facilities:board", BOARD_ROLES, 46))
        register_panel(
            Panel("web/_figures.html", (Role.FACILITY_OFFICER,), panels.home_panel, 15)
        )
