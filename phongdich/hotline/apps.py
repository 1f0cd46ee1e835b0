import logging

from django.apps import AppConfig, apps

logger = logging.getLogger(__name__)


class HotlineConfig(AppConfig):
    name = "phongdich.hotline"
    label = "hotline"
    verbose_name = "Tổng đài 1022"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from phongdich.accounts.models import Role
        from phongdich.web.home_panels import Panel
        from phongdich.web.home_panels import register as register_panel
        from phongdich.web.navigation import NavItem
        from phongdich.web.navigation import register as register_nav

        from . import export_kinds, panels  # noqa: F401 - export_kinds registers the day export
        from .roles import DESK_ROLES, OVERSIGHT_ROLES, RELIEF_ROLES, TICKET_ROLES

        register_nav(NavItem(_("Tổng đài 1022"), "hotline:queue", TICKET_ROLES, 30))
        register_nav(NavItem(_("Ghi nhận cuộc gọi"), "hotline:call", DESK_ROLES, 31))
        register_nav(NavItem(_("Hỗ trợ người dân"), "hotline:relief_list", RELIEF_ROLES, 32))
        register_nav(NavItem(_("Giám sát 1022"), "hotline:oversight", OVERSIGHT_ROLES, 33))
        register_panel(Panel("hotline/_panel.html", TICKET_ROLES, panels.tickets_panel, 30))
        del Role
        from .policy import register_tables

        register_tables()
        self._connect_cases()

    def _connect_cases(self):
        """Open an emergency ticket when the F0 app raises a danger alert (if it exists)."""
        if not apps.is_installed("phongdich.cases"):
            return
        try:
            from phongdich.cases.signals import danger_alert_raised
        except (ImportError, AttributeError):
            logger.info("cases app has no danger_alert_raised signal; not connected")
            return
        from .receivers import on_danger_alert

        danger_alert_raised.connect(on_danger_alert, dispatch_uid="hotline_danger_alert")
        try:
            from phongdich.cases.signals import alert_handled
        except (ImportError, AttributeError):
            return
        from .services.alert_link import on_alert_handled

        alert_handled.connect(on_alert_handled, dispatch_uid="hotline_alert_handled")
