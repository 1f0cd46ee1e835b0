from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "phongdich.policy"
    label = "policy"
    verbose_name = "Chính sách và quy định của tỉnh"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from phongdich.accounts.permissions import ADMIN_ROLES
        from phongdich.web.navigation import NavItem, register

        register(NavItem(_("Chính sách, quy định"), "policy:index", ADMIN_ROLES, 85))
