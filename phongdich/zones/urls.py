from django.urls import path

from . import views

app_name = "zones"
urlpatterns = [
    path("", views.zone_list, name="list"),
    path("new/", views.zone_create, name="create"),
    path("export.xlsx", views.zone_export, name="export"),
    path("map/", views.zone_map, name="map"),
    path("public/", views.public_zones, name="public"),
    path("food-gaps/", views.food_gaps, name="gaps"),
    path("classes/", views.class_list, name="classes"),
    path("classes/export.xlsx", views.class_export, name="classes_export"),
    path("classes/propose/", views.class_scan, name="classes_scan"),
    path("<int:pk>/", views.zone_detail, name="detail"),
    path("<int:pk>/propose/", views.proposal_create, name="propose"),
    path("<int:pk>/proposals/<int:proposal>/decide/", views.proposal_decide, name="decide"),
    path("<int:pk>/facts/", views.zone_facts, name="facts"),
    path("<int:pk>/households/", views.household_add, name="household"),
    path("<int:pk>/requests/", views.food_request_create, name="request"),
    path("<int:pk>/deliveries/", views.delivery_record, name="delivery"),
    path(
        "<int:pk>/households/<int:household>/link/",
        views.household_link_issue,
        name="household_link_issue",
    ),
    path(
        "<int:pk>/households/<int:household>/link/new/",
        views.household_link,
        name="household_link",
    ),
    path(
        "<int:pk>/households/<int:household>/link/send/",
        views.household_link_send,
        name="household_link_send",
    ),
    path("<int:pk>/checkpoints/", views.checkpoint_attach, name="checkpoint_attach"),
    path(
        "<int:pk>/checkpoints/<int:checkpoint>/detach/",
        views.checkpoint_detach,
        name="checkpoint_detach",
    ),
    # The household's own page (no account): its personal link.
    path("h/<str:token>/", views.household_page, name="household_page"),
    path(
        "h/<str:token>/deliveries/<int:delivery>/confirm/",
        views.household_confirm,
        name="household_confirm",
    ),
]
