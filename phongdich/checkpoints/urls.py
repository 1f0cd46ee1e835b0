from django.urls import path

from . import views

app_name = "checkpoints"
urlpatterns = [
    # citizens
    path("declare/", views.declare, name="declare"),
    path("me/<str:token>/", views.me, name="me"),
    path("me/<str:token>/qr.<str:fmt>", views.me_qr, name="me_qr"),
    path("report/", views.citizen_report, name="citizen_report"),
    path("pharmacy/register/", views.pharmacy_register, name="pharmacy_register"),
    path("pharmacy/<str:token>/", views.pharmacy_report, name="pharmacy_report"),
    path("check/<str:token>/", views.self_check, name="self_check"),
    # checkpoint officers
    path("", views.officer, name="officer"),
    path("entry/", views.officer_entry, name="officer_entry"),
    path("passages/", views.passage_create, name="passage_create"),
    path("list/", views.checkpoint_list, name="checkpoint_list"),
    path("list/<int:pk>/poster.pdf", views.checkpoint_poster, name="poster"),
    path("transit/", views.transit, name="transit"),
    # communes
    path("arrivals/", views.arrivals, name="arrivals"),
    path("arrivals/<int:pk>/<str:action>/", views.handover_action, name="handover_action"),
    path("quarantine/", views.quarantines, name="quarantines"),
    path("quarantine/<int:pk>/", views.quarantine_detail, name="quarantine"),
    path(
        "quarantine/<int:pk>/<str:kind>.pdf", views.quarantine_document, name="quarantine_document"
    ),
    path("forecasts/", views.forecasts, name="forecasts"),
    path("forecasts/<int:pk>/errors.xlsx", views.forecast_errors, name="forecast_errors"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    # oversight
    path("oversight/", views.oversight, name="oversight"),
    path("rules/", views.rules_page, name="rules"),
    path("areas/", views.areas, name="areas"),
    path("oversight/export.xlsx", views.oversight_export, name="oversight_export"),
]
