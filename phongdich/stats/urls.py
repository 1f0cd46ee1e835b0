from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("u/<str:code>/", views.overview, name="unit"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/u/<str:code>/", views.dashboard, name="dashboard_unit"),
]
