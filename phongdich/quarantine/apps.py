from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "phongdich.quarantine"
    label = "quarantine"
    verbose_name = "Cách ly"
    default_auto_field = "django.db.models.BigAutoField"
