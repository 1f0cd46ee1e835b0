from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZonesConfig(AppConfig):
    name = "phongdich.zones"
    verbose_name = "Vùng phong tỏa, giãn cách"

    def ready(self):
        from phongdich.web.navigation import NavItem, register

        from .policy import register_tables
        from .selectors import VIEW_ROLES

        register_tables()
        register(NavItem(_("Vùng phong tỏa"), "zones:list", VIEW_ROLES, 47))
