from django.urls import path

from . import views

app_name = "facilities"
urlpatterns = [
    path("", views.facility_list, name="list"),
    path("new/", views.facility_create, name="create"),
    path("board/", views.board, name="board"),
    path("plans/", views.plans, name="plans"),
    path("<int:pk>/", views.facility_detail, name="detail"),
    path("<int:pk>/edit/", views.facility_edit, name="edit"),
    path("<int:pk>/capacity/", views.facility_capacity, name="capacity"),
    path("<int:pk>/report/", views.facility_report, name="report"),
    path("<int:pk>/source/", views.facility_source, name="source"),
    path("<int:pk>/admit/", views.facility_admit, name="admit"),
    path("<int:pk>/stays/<int:stay>/discharge/", views.stay_discharge, name="discharge"),
    path("<int:pk>/staff/", views.facility_staff, name="staff"),
]
