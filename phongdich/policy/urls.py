from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.table_list, name="list"),
    path("<slug:slug>/new/", views.row_create, name="create"),
    path("<slug:slug>/export.xlsx", views.table_export, name="export"),
    path("<slug:slug>/<int:pk>/", views.row_edit, name="edit"),
    path("<slug:slug>/<int:pk>/deactivate/", views.row_deactivate, name="deactivate"),
    path("<slug:slug>/<int:pk>/activate/", views.row_activate, name="activate"),
]
