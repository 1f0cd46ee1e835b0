from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "phongdich.checkpoints"
    label = "checkpoints"
    verbose_name = "Chốt kiểm soát và người về"

    def ready(self):
        from phongdich.accounts.models import Role
        from phongdich.web.home_panels import Panel
        from phongdich.web.home_panels import register as register_panel
        from phongdich.web.navigation import NavItem, register

        from . import panels
        from .policy import register_tables

        register_tables()

        officer = (Role.CHECKPOINT_OFFICER, Role.PROVINCE_ADMIN)
        commune = (Role.COMMUNE_HEALTH_WORKER, Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)
        oversight = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN, Role.CHECKPOINT_OFFICER)
        register(NavItem(_("Chốt kiểm soát"), "checkpoints:officer", officer, 30))
        register(NavItem(_("Người về địa bàn"), "checkpoints:arrivals", commune, 31))
        register(NavItem(_("Giám sát chốt"), "checkpoints:oversight", oversight, 33))
        register(NavItem(_("Quy định cách ly"), "checkpoints:rules", commune, 34))
        register(NavItem(_("Vùng dịch"), "checkpoints:areas", oversight, 35))
        register_panel(Panel("checkpoints/_panel.html", commune, panels.commune_panel, 30))
        register_panel(Panel("checkpoints/_officer_panel.html", officer, panels.officer_panel, 31))
