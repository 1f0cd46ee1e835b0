from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "phongdich.people"
    verbose_name = "Người dân"

    def ready(self):
        from phongdich.accounts.permissions import PERSONAL_DATA_ROLES
        from phongdich.web.home_panels import Panel, register

        from . import panels

        # The same roles the referrals page lets in; the panel only says where to look.
        register(Panel("people/_home_panel.html", PERSONAL_DATA_ROLES, panels.referrals_panel, 15))
