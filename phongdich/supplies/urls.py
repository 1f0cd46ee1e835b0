from django.urls import path

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
]
