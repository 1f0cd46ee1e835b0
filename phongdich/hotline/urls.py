from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("call/", views.call, name="call"),
    path("call/lookup/", views.lookup, name="lookup"),
    path("t/<int:pk>/", views.ticket, name="ticket"),
    path("t/<int:pk>/case/", views.ticket_case, name="ticket_case"),
    path("t/<int:pk>/claim/", views.ticket_claim, name="claim"),
    path("t/<int:pk>/release/", views.ticket_release, name="release"),
    path("t/<int:pk>/forward/", views.ticket_forward, name="forward"),
    path("t/<int:pk>/reassign/", views.ticket_reassign, name="reassign"),
    path("t/<int:pk>/reply/", views.ticket_reply, name="reply"),
    path("t/<int:pk>/resolve/", views.ticket_resolve, name="resolve"),
    path("t/<int:pk>/close/", views.ticket_close, name="close"),
    # Citizens: a public form and the personal link (no account).
    path("hoi/", views.citizen_new, name="citizen_new"),
    path("l/<str:token>/", views.citizen, name="citizen"),
    path("relief/", views.relief_list, name="relief_list"),
    path("relief/new/", views.relief_new, name="relief_new"),
    path("relief/<int:pk>/", views.relief_detail, name="relief_detail"),
    path("support/", views.support, name="support"),
    path("oversight/", views.oversight, name="oversight"),
    path("oversight/export.xlsx", views.oversight_export, name="oversight_export"),
]
