from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    name = "phongdich.directives"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Chỉ đạo"

    def ready(self):
        from django_tasks.signals import task_finished

        from . import export, tasks  # noqa: F401 - export registers the overall table's export

        task_finished.connect(tasks.on_task_finished, dispatch_uid="directives.extract_finished")

        from phongdich.web.home_panels import Panel
        from phongdich.web.home_panels import register as register_panel
        from phongdich.web.navigation import NavItem
        from phongdich.web.navigation import register as register_nav

        from .panels import build_panel
        from .selectors import CLERK_ROLES, OVERVIEW_ROLES, REPORTER_ROLES, TASK_ROLES

        register_nav(NavItem(_("Theo dõi kết luận"), "directives:overview", OVERVIEW_ROLES, 40))
        register_nav(NavItem(_("Nhiệm vụ của đơn vị"), "directives:mine", REPORTER_ROLES, 40))
        register_nav(NavItem(_("Nhập văn bản"), "directives:import", CLERK_ROLES, 41))
        register_nav(NavItem(_("Danh bạ đơn vị"), "directives:units", CLERK_ROLES, 42))
        register_panel(Panel("directives/_panel.html", TASK_ROLES, build_panel, 40))
