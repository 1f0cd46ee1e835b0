from django.urls import path

from . import (
    views,
    views_aefi,
    views_campaign_targets,
    views_print,
    views_records,
    views_risk,
)

app_name = "vaccination"

urlpatterns = [
    path("doses/new/", views.dose_new, name="dose_new"),
    path("people/<int:pk>/", views.record, name="record"),
    path("people/<int:pk>/doses/new/", views.dose_for_person, name="dose_for_person"),
    path("doses/<int:pk>/checked/", views.dose_check, name="dose_check"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/match/", views.review_match, name="review_match"),
    path("reviews/<int:pk>/register/", views.review_register, name="review_register"),
    path("import/", views.import_doses, name="import"),
    path("coverage/", views.coverage, name="coverage"),
    path("outreach/", views.outreach_list, name="outreach"),
    path("outreach.xlsx", views.outreach_export, name="outreach_export"),
    path("outreach.pdf", views_print.outreach_pdf, name="outreach_pdf"),
    path("outreach/print/", views_print.outreach_print, name="outreach_print"),
    path("outreach/outcome/", views.outreach_outcome, name="outreach_outcome"),
    path("coverage.xlsx", views.coverage_export, name="coverage_export"),
    path("people/<int:pk>/certificate/", views.certificate_issue, name="certificate_issue"),
    path("people/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("xac-minh/<str:token>/", views.certificate_verify, name="certificate_verify"),
    path("risk-groups/", views.risk_groups, name="risk_groups"),
    path("people/<int:pk>/risk/", views_risk.risk_flag_add, name="risk_flag_add"),
    path(
        "people/<int:pk>/reminder-channel/",
        views_risk.reminder_channel,
        name="reminder_channel",
    ),
    path(
        "people/<int:pk>/risk/<int:flag_pk>/end/",
        views_risk.risk_flag_end,
        name="risk_flag_end",
    ),
    path("risk-groups/errors.xlsx", views.risk_errors, name="risk_errors"),
    path("population/", views.population_bands, name="population_bands"),
    path("population/errors.xlsx", views.population_band_errors, name="population_band_errors"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/targets/", views.campaign_target, name="campaign_target"),
    path(
        "campaigns/<int:pk>/targets/import/",
        views_campaign_targets.campaign_target_import,
        name="campaign_target_import",
    ),
    path(
        "campaigns/<int:pk>/targets/errors.xlsx",
        views_campaign_targets.campaign_target_errors,
        name="campaign_target_errors",
    ),
    path("campaigns/<int:pk>/task/", views.campaign_link_task, name="campaign_link_task"),
    path(
        "campaigns/<int:pk>/task/<int:task_pk>/unlink/",
        views.campaign_unlink_task,
        name="campaign_unlink_task",
    ),
    path("campaigns/<int:pk>.xlsx", views.campaign_export, name="campaign_export"),
    # corrections (views_records.py)
    path(
        "people/<int:pk>/certificate/revoke/",
        views_records.certificate_revoke,
        name="certificate_revoke",
    ),
    path("doses/<int:pk>/unlink/", views_records.dose_unlink, name="dose_unlink"),
    # AEFI (views_aefi.py)
    path("aefi/", views_aefi.aefi_queue, name="aefi_queue"),
    path("aefi.xlsx", views_aefi.aefi_export, name="aefi_export"),
    path("aefi/<int:pk>/", views_aefi.aefi_detail, name="aefi"),
    path("aefi/<int:pk>/status/", views_aefi.aefi_status, name="aefi_status"),
    path("aefi/<int:pk>/reopen/", views_aefi.aefi_reopen, name="aefi_reopen"),
    path("people/<int:pk>/aefi/new/", views_aefi.aefi_new, name="aefi_new"),
    path("people/<int:pk>/aefi/link/", views_aefi.aefi_link, name="aefi_link"),
    path("people/<int:pk>/aefi/link/send/", views_aefi.aefi_link_send, name="aefi_link_send"),
    path(
        "people/<int:pk>/aefi/links/<int:link_pk>/revoke/",
        views_aefi.aefi_link_revoke,
        name="aefi_link_revoke",
    ),
    path("phan-ung/<str:token>/", views_aefi.aefi_public, name="aefi_public"),
]
