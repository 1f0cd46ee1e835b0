from django.apps import AppConfig


class LibConfig(AppConfig):
    # Shared infrastructure: its tests, template tags and the one table the rate limiter needs.
    name = "phongdich.lib"
    label = "phongdich_lib"
