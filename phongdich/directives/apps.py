from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "phongdich.directives"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Chỉ đạo"
