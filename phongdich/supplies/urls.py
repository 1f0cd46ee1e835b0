from django.urls import path

from . import procurement_views as pv
from . import views

app_name = "supplies"
urlpatterns = [
    path("", views.board, name="board"),
    path("places/<int:pk>/", views.place, name="place"),
    path("places/<int:pk>/movement/", views.movement, name="movement"),
    path("places/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("places/<int:pk>/entries/<int:entry>/correct/", views.correct, name="correct"),
    path("places/<int:pk>/request/", views.request_create, name="request_create"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/fulfil/", views.request_fulfil, name="request_fulfil"),
    path("procurement/", pv.procurement_list, name="procurements"),
    path("procurement/new/", pv.procurement_create, name="procurement_create"),
    path("procurement/<int:pk>/", pv.procurement_detail, name="procurement"),
    path("procurement/<int:pk>/advance/", pv.procurement_advance, name="procurement_advance"),
    path("procurement/<int:pk>/attach/", pv.procurement_attach, name="procurement_attach"),
    path(
        "procurement/<int:pk>/documents/<int:doc>/",
        pv.procurement_document,
        name="procurement_document",
    ),
    path("purchases/", pv.purchases, name="purchases"),
    path("purchases.xlsx", pv.purchases_xlsx, name="purchases_xlsx"),
]
