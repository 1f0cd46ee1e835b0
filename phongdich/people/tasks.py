"""Background jobs of the people app (django-tasks; the `worker` command runs them)."""

from django.core.mail import send_mail
from django.db.models import Q
from django_tasks import task

from phongdich.accounts.models import Role, User
from phongdich.lib.urls import absolute_url

from .models import MatchReferral


def referral_recipients(owner_unit) -> list[str]:
    """Who resolves a referral: the owning commune's station staff, or the province admins
    when the province owns it (no commune holds the record)."""
    users = User.objects.filter(is_active=True).filter(~Q(email=""))
    if owner_unit is None or owner_unit.parent_id is None:
        users = users.filter(role=Role.PROVINCE_ADMIN)
        if owner_unit is not None:
            users = users.filter(jurisdiction=owner_unit)
    else:
        users = users.filter(jurisdiction=owner_unit, role=Role.COMMUNE_HEALTH_WORKER)
    return sorted(set(users.values_list("email", flat=True)))


@task()
def notify_referral(referral_id: int) -> int:
    """Tell the owner a possible duplicate waits. E-mail is not a safe channel for personal
    data, so the mail names nobody: it only links to the referrals page behind the login.
    A unit that already has an earlier open referral was told then and sees the count on
    its home page, so a batch of registrations sends one mail, not one per row."""
    referral = MatchReferral.objects.select_related("owner_unit").filter(pk=referral_id).first()
    if referral is None or referral.status != MatchReferral.Status.OPEN:
        return 0
    if MatchReferral.objects.filter(
        owner_unit_id=referral.owner_unit_id,
        status=MatchReferral.Status.OPEN,
        pk__lt=referral.pk,
    ).exists():
        return 0
    recipients = referral_recipients(referral.owner_unit)
    if not recipients:
        return 0
    return send_mail(
        "[phongdich] Có hồ sơ có thể trùng cần xem",
        "Có 1 hồ sơ có thể trùng cần xem.\n\n"
        f"Đăng nhập và mở: {absolute_url('/people/referrals/')}\n",
        None,
        recipients,
    )
