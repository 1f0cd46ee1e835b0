from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.briefing_list, name="list"),
    path("new/", views.briefing_create, name="create"),
    path("<int:pk>/", views.briefing_detail, name="detail"),
    path("<int:pk>/<str:fmt>/", views.briefing_download, name="download"),
]
