from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "phongdich.vaccination"
    label = "vaccination"
    verbose_name = "Tiêm chủng"

    def ready(self):
        from phongdich.people.sections import Section
        from phongdich.people.sections import register as register_section
        from phongdich.web.home_panels import Panel
        from phongdich.web.home_panels import register as register_panel
        from phongdich.web.navigation import NavItem, register

        from . import panels
        from .permissions import COVERAGE_ROLES, RECORD_ROLES, REVIEW_ROLES
        from .policy import register_tables

        register_tables()
        from .imports import register_background_import

        register_background_import()  # the page's import runs in the worker
        from .summary import connect

        connect()  # doses and people saved drop their outreach summary
        from . import person_status

        person_status.connect()  # ... and recompute their coverage status
        register(NavItem(_("Ghi mũi tiêm"), "vaccination:dose_new", RECORD_ROLES, 40))
        register(NavItem(_("Mũi tiêm chờ xác định"), "vaccination:reviews", REVIEW_ROLES, 41))
        register(NavItem(_("Nhập mũi tiêm từ tệp"), "vaccination:import", REVIEW_ROLES, 42))
        register(NavItem(_("Danh sách cần tiêm"), "vaccination:outreach", RECORD_ROLES, 44))
        register(NavItem(_("Độ bao phủ tiêm chủng"), "vaccination:coverage", COVERAGE_ROLES, 43))
        register(NavItem(_("Phản ứng sau tiêm"), "vaccination:aefi_queue", RECORD_ROLES, 45))
        register_panel(Panel("vaccination/_home_panel.html", REVIEW_ROLES, panels.review_panel, 40))
        register_panel(Panel("vaccination/_aefi_panel.html", RECORD_ROLES, panels.aefi_panel, 41))
        register_section(Section("vaccination/_person_section.html", panels.person_section, 20))
