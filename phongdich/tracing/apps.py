from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "phongdich.tracing"
    label = "tracing"
    verbose_name = "Truy vết"

    def ready(self):
        from django.db.models.signals import post_save

        from phongdich.cases.models import Case

        post_save.connect(_case_saved, sender=Case, dispatch_uid="tracing.case_saved")
        from .imports import register_background_import

        register_background_import()  # the page's import runs in the worker
        from phongdich.web.navigation import NavItem, register

        from .permissions import READ_ROLES, TRACER_ROLES

        register(NavItem(_("Danh sách tiếp xúc"), "tracing:contacts", READ_ROLES, 50))
        register(NavItem(_("Nhập danh sách tiếp xúc"), "tracing:import", TRACER_ROLES, 51))
        register(NavItem(_("Ổ dịch"), "tracing:clusters", READ_ROLES, 52))
        register(NavItem(_("Chỉ số truy vết"), "tracing:indicators", READ_ROLES, 53))

        from phongdich.web.home_panels import FIGURES_TEMPLATE, Panel
        from phongdich.web.home_panels import register as register_panel

        from . import panels

        register_panel(Panel(FIGURES_TEMPLATE, panels.PANEL_ROLES, panels.build_panel, 20))


def _case_saved(sender, instance, created, raw=False, **kwargs):
    """A new case whose person is a followed contact: link it (the chain and "became F0")."""
    if created and not raw:
        from .services import contacts_link_new_case

        contacts_link_new_case(case=instance)
