from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "phongdich.facilities"
    verbose_name = "Cơ sở điều trị và cách ly"

    def ready(self):
        from phongdich.accounts.models import Role
        from phongdich.web.navigation import NavItem, register

        from .selectors import BOARD_ROLES, EDITOR_ROLES

        register(
            NavItem(
                _("Cơ sở điều trị"), "facilities:list", (*EDITOR_ROLES, Role.FACILITY_OFFICER), 45
            )
        )
        register(NavItem(_("Bảng giường bệnh"), "facilities:board", BOARD_ROLES, 46))
