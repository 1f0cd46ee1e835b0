from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabtestsConfig(AppConfig):
    name = "phongdich.labtests"
    label = "labtests"
    verbose_name = "Xét nghiệm"

    def ready(self):
        from phongdich.web.navigation import NavItem, register

        from .permissions import CAMPAIGN_ROLES, SAMPLE_ROLES
        from .policy import register_tables

        register_tables()

        register(NavItem(_("Mẫu xét nghiệm"), "labtests:samples", SAMPLE_ROLES, 50))
        register(NavItem(_("Lệnh lấy lại mẫu"), "labtests:orders", SAMPLE_ROLES, 51))
        register(NavItem(_("Đợt xét nghiệm tầm soát"), "labtests:campaigns", CAMPAIGN_ROLES, 52))
        register(NavItem(_("Tổ lấy mẫu"), "labtests:teams", SAMPLE_ROLES, 53))
        register(NavItem(_("Ca lấy mẫu của tôi"), "labtests:my_shifts", SAMPLE_ROLES, 54))
