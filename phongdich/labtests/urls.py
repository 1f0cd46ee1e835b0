from django.urls import path

from . import team_views, views

app_name = "labtests"

urlpatterns = [
    path("samples/", views.samples, name="samples"),
    path("samples/new/", views.sample_new, name="sample_new"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/result/", views.sample_result, name="sample_result"),
    path("samples/<int:pk>/receive/", views.sample_receive, name="sample_receive"),
    path("samples/<int:pk>/reject/", views.sample_reject, name="sample_reject"),
    path("pools/", views.pools, name="pools"),
    path("pools/<int:pk>/", views.pool_detail, name="pool_detail"),
    path("pools/<int:pk>/result/", views.pool_result, name="pool_result"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/sample/", views.order_sample, name="order_sample"),
    path("test-orders/<int:pk>/sample/", views.test_order_sample, name="test_order_sample"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>.xlsx", views.campaign_export, name="campaign_export"),
    path(
        "campaigns/<int:pk>/team-names/",
        team_views.campaign_team_names,
        name="campaign_team_names",
    ),
    path("team-names/", team_views.team_names, name="team_names"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>.xlsx", views.round_export, name="round_export"),
    path("points/<int:pk>/", views.point_detail, name="point_detail"),
    path("points/<int:pk>/shifts/", team_views.point_shifts, name="point_shifts"),
    path("shifts/<int:pk>/", team_views.shift_edit, name="shift_edit"),
    path("shifts/<int:pk>/cancel/", team_views.shift_cancel, name="shift_cancel"),
    path("teams/", team_views.team_list, name="teams"),
    path("teams/new/", team_views.team_new, name="team_new"),
    path("teams/<int:pk>/", team_views.team_edit, name="team_edit"),
    path("my-shifts/", team_views.my_shifts, name="my_shifts"),
    path("import/", views.import_results, name="import"),
    path("import/errors.xlsx", views.import_errors, name="import_errors"),
    path("import/<str:batch>/", views.import_follow_ups, name="import_follow_ups"),
]
