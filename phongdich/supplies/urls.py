from django.urls import path

from . import views

app_name = "supplies"
urlpatterns = [
    path("", views.board, name="board"),
    path("places/<int:pk>/", views.place, name="place"),
    path("places/<int:pk>/movement/", views.movement, name="movement"),
    path("places/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("places/<int:pk>/entries/<int:entry>/correct/", views.correct, name="correct"),
]
