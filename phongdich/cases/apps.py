from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "phongdich.cases"
    verbose_name = "Quản lý F0"

    def ready(self):
        from phongdich.web.home_panels import Panel
        from phongdich.web.home_panels import register as register_panel
        from phongdich.web.navigation import NavItem, register

        from . import panels
        from .permissions import CASE_ROLES, REPORT_ROLES
        from .policy import register_tables

        register_tables()

        register(NavItem(_("Theo dõi F0"), "cases:queue", CASE_ROLES, 20))
        register(NavItem(_("Thêm F0"), "cases:register", CASE_ROLES, 21))
        register(NavItem(_("Báo cáo ngày"), "cases:reports", REPORT_ROLES, 60))
        register_panel(Panel("cases/_home_panel.html", CASE_ROLES, panels.home_panel, 20))
