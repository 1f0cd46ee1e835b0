from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "phongdich.quarantine"
    label = "quarantine"
    verbose_name = "Cách ly"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from phongdich.web.navigation import NavItem, register

        from .selectors import LIST_ROLES

        register(NavItem(_("Người đang cách ly"), "quarantine:list", LIST_ROLES, 47))
