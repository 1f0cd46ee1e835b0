from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.register, name="register"),
    path("import/", views.import_results, name="import"),
    path("import/errors.xlsx", views.import_errors, name="import_errors"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/check/", views.check_new, name="check_new"),
    path("<int:pk>/link/", views.link_issue, name="link_issue"),
    path("<int:pk>/link/send/", views.link_send, name="link_send"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/home-care/", views.home_care_override, name="home_care_override"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/transfer/override/", views.transfer_override, name="transfer_override"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("<int:pk>/death/", views.death, name="death"),
    path("<int:pk>/dossier/", views.dossier, name="dossier"),
    path("<int:pk>/medicine/", views.medicine_bag, name="medicine_bag"),
    path("<int:pk>/mobile-visit/", views.mobile_visit, name="mobile_visit"),
    path("<int:pk>/photo/", views.photo, name="photo"),
    path("alerts/<int:pk>/", views.alert_action, name="alert_action"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    # Public (citizens, no account)
    path("c/<str:token>/", views.check_form, name="check_form"),
    path("tu-khai-bao/", views.self_declare, name="self_declare"),
    path("xac-nhan/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("ban-tin/", views.public_reports, name="public_reports"),
    path("ban-tin/<int:pk>/", views.public_report, name="public_report"),
    path("ban-tin/<int:pk>.pdf", views.public_report_pdf, name="public_report_pdf"),
]
