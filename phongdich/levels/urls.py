from django.urls import path

from . import threshold_views, views

app_name = "levels"
urlpatterns = [
    path("", views.level_table, name="table"),
    path("u/<str:code>/", views.level_table, name="table_unit"),
    path("unit/<str:code>/", views.unit_detail, name="unit"),
    path("unit/<str:code>/review/", views.unit_review, name="review"),
    path("unit/<str:code>/publish/", views.unit_publish, name="publish"),
    path("u/<str:code>/publish-all/", views.publish_all, name="publish_all"),
    path("map/", views.level_map, name="map"),
    path("public/", views.public_levels, name="public"),
    path("thresholds/", threshold_views.threshold_list, name="thresholds"),
    path("thresholds/<int:pk>/", threshold_views.threshold_change, name="threshold_change"),
]
