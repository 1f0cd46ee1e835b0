from django.urls import path

from . import import_views

app_name = "imports"

urlpatterns = [
    path("<int:pk>/", import_views.import_status, name="job"),
    path("<int:pk>/errors.xlsx", import_views.import_errors, name="errors"),
]
