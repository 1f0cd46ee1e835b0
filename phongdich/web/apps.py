from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "phongdich.web"
    verbose_name = "Giao diện"
