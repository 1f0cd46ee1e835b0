from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "phongdich.demo"
    verbose_name = "Dữ liệu minh họa"
