from django.urls import path

from . import shape_views, threshold_views, views

app_name = "levels"
urlpatterns = [
    path("", views.level_table, name="table"),
    path("u/<str:code>/", views.level_table, name="table_unit"),
    path("unit/<str:code>/", views.unit_detail, name="unit"),
    path("unit/<str:code>/review/", views.unit_review, name="review"),
    path("unit/<str:code>/publish/", views.unit_publish, name="publish"),
    path("u/<str:code>/publish-all/", views.publish_all, name="publish_all"),
    path("pending/", views.pending_list, name="pending"),
    path("map/", views.level_map, name="map"),
    path("public/", views.public_levels, name="public"),
    path("shapes/", shape_views.shapes_import, name="shapes_import"),
    path("shapes/errors.xlsx", shape_views.shapes_import_errors, name="shapes_import_errors"),
    path("thresholds/", threshold_views.threshold_list, name="thresholds"),
    path("thresholds/<int:pk>/", threshold_views.threshold_change, name="threshold_change"),
    path(
        "thresholds/start/<str:code>/",
        threshold_views.rule_start_change,
        name="rule_start_change",
    ),
]
