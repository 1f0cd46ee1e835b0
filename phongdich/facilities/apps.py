from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "phongdich.facilities"
    verbose_name = "Cơ sở điều trị và cách ly"
