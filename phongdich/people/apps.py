from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "phongdich.people"
    verbose_name = "Người dân"
