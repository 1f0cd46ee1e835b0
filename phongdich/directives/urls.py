from django.urls import path

from . import views

app_name = "directives"
urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("documents/", views.documents, name="documents"),
    path("import/", views.import_document, name="import"),
    path("export.xlsx", views.export_all, name="export_all"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/progress/", views.document_progress, name="document_progress"),
    path("documents/<int:pk>/retry/", views.document_retry, name="document_retry"),
    path("documents/<int:pk>/update/", views.document_update, name="document_update"),
    path("documents/<int:pk>/confirm/", views.document_confirm, name="document_confirm"),
    path("documents/<int:pk>/export.xlsx", views.export_document, name="export_document"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/split/", views.task_split, name="task_split"),
    path("tasks/<int:pk>/merge/", views.task_merge, name="task_merge"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("tasks/<int:pk>/review/", views.task_review, name="task_review"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="task_assign"),
    path("tasks/<int:pk>/indicator/", views.task_indicator, name="task_indicator"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("mine/", views.mine, name="mine"),
    path("units/", views.units, name="units"),
    path("units/<int:pk>/alias/", views.alias_add, name="alias_add"),
    path("units/members/", views.membership_add, name="membership_add"),
    path("units/officials/", views.official_add, name="official_add"),
    path("proposals/<int:pk>/", views.proposal_action, name="proposal_action"),
]
