from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "phongdich.geo"
    verbose_name = "Địa giới hành chính"
