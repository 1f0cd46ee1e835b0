from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "phongdich.accounts"
    verbose_name = "Tài khoản"

    def ready(self):
        from phongdich.web.navigation import NavItem, register

        from .permissions import API_TOKEN_ROLES

        register(NavItem(_("Khóa API"), "accounts:tokens", API_TOKEN_ROLES, 92))
