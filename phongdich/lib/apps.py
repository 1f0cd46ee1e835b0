from django.apps import AppConfig


class LibConfig(AppConfig):
    # An app only so its tests and template tags are discovered; it has no models.
    name = "phongdich.lib"
    label = "phongdich_lib"
