from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "phongdich.reports"
    verbose_name = "Báo cáo nhanh"

    def ready(self):
        from phongdich.web.navigation import NavItem, register

        register(NavItem(_("Báo cáo nhanh"), "reports:list", REPORT_ROLES, 6))


# Who reads and drafts the briefing: the committee, the health department (province or
# district), the office that follows up the committee's conclusions, the administrator.
REPORT_ROLES = ("province_admin", "committee_member", "health_officer", "directive_clerk")
