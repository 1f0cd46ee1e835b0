from django.urls import path

from . import views

app_name = "schedule"
urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("<str:pk>/retry/", views.job_retry, name="job_retry"),
]
