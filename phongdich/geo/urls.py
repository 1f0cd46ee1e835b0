from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.units, name="units"),
    path("u/<str:code>/", views.units, name="unit"),
    path("population/", views.population_import, name="population_import"),
    path(
        "population/errors.xlsx",
        views.population_import_errors,
        name="population_import_errors",
    ),
]
