"""Background jobs of the F0 app (django-tasks; the `worker` command runs them)."""

from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django_tasks import task

from phongdich.accounts.models import Role, User
from phongdich.lib.urls import absolute_url

from . import services
from .models import Alert


def care_team_emails(commune) -> list[str]:
    """The commune's station staff and care team (who work that commune's queue)."""
    return list(
        User.objects.filter(
            is_active=True,
            jurisdiction=commune,
            role__in=(Role.COMMUNE_HEALTH_WORKER, Role.CARE_TEAM_MEMBER),
        )
        .filter(~Q(email=""))
        .values_list("email", flat=True)
    )


@task()
def notify_danger_alert(alert_id: int) -> int:
    """Email the commune's care team about a danger alert. The message names no patient:
    email is not a safe channel for health data, so it links to the queue instead."""
    alert = Alert.objects.select_related("case__commune").filter(pk=alert_id).first()
    if alert is None:
        return 0
    recipients = care_team_emails(alert.case.commune)
    if not recipients:
        return 0
    url = absolute_url(reverse("cases:detail", args=[alert.case_id]))
    body = (
        "Một F0 do trạm quản lý vừa báo dấu hiệu nguy hiểm:\n- "
        + "\n- ".join(alert.reasons)
        + f"\n\nMở hồ sơ và liên hệ ngay: {url}\n"
    )
    return send_mail(
        f"[phongdich] Cảnh báo F0 #{alert.case_id}: dấu hiệu nguy hiểm",
        body,
        None,
        recipients,
    )


@task()
def scan_no_contact() -> int:
    return services.alerts_scan_no_contact()


@task()
def draft_daily_reports() -> int:
    return services.daily_reports_draft_all()
