from django.urls import path

from . import views

app_name = "quarantine"
urlpatterns = [
    path("", views.quarantine_list, name="list"),
    path("new/", views.quarantine_new, name="new"),
    path("tests/", views.test_orders, name="tests"),
    path("<int:pk>/", views.quarantine_detail, name="detail"),
    path("<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("<int:pk>/<str:kind>.pdf", views.document, name="document"),
    path("check/<str:token>/", views.self_check, name="self_check"),
]
