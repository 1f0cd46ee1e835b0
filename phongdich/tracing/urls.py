from django.urls import path

from . import views

app_name = "tracing"

urlpatterns = [
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:pk>/", views.contact, name="contact"),
    path("contacts/<int:pk>/status/", views.contact_status, name="contact_status"),
    path("contacts/<int:pk>/quarantine/", views.contact_quarantine, name="contact_quarantine"),
    path("cases/<int:pk>/", views.case_contacts, name="case_contacts"),
    path("cases/<int:pk>/chain/", views.case_chain, name="case_chain"),
    path("import/", views.import_contacts, name="import"),
    path("clusters/", views.clusters, name="clusters"),
    path("clusters/<int:pk>/", views.cluster, name="cluster"),
    path("clusters/<int:pk>/cases/", views.cluster_case_add, name="cluster_case_add"),
    path("clusters/<int:pk>/source/", views.cluster_source, name="cluster_source"),
    path("clusters/<int:pk>/chain/", views.cluster_chain, name="cluster_chain"),
    path("indicators/", views.indicators, name="indicators"),
]
