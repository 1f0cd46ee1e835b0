"""Sampling teams as records (issue 14): who a team is (its unit, leader and members) and
when it works where (a shift at a round's sampling point). Imported by models.py, so they
are labtests models; kept apart because models.py was near the size STYLE.md splits at."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SamplingTeam(models.Model):
    """A sampling team (tổ lấy mẫu) of a commune or district. Never deleted: a team that
    stops working is made inactive, so the samples it took keep pointing at it."""

    name = models.CharField(_("tên tổ"), max_length=120)
    unit = models.ForeignKey(
        "geo.AdminUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            # The free-text names linked by migration 0008 and the pick lists read a team by
            # its name in its unit: two teams of one name there would be indistinguishable.
            models.UniqueConstraint(fields=["unit", "name"], name="labtests_team_name_uniq")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def leader(self):
        return next((m for m in self.members.all() if m.leader), None)


class TeamMember(models.Model):
    """A member of a team: an account (a health-role user of the team's unit) or a named
    person with a phone (volunteers, students of the medical school, who have no account)."""

    team = models.ForeignKey(SamplingTeam, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sampling_memberships",
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    leader = models.BooleanField(_("tổ trưởng"), default=False)

    class Meta:
        ordering = ["-leader", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(leader=True), name="labtests_team_one_leader"
            ),
            models.UniqueConstraint(
                fields=["team", "account"],
                condition=Q(account__isnull=False),
                name="labtests_team_account_once",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class ShiftQuerySet(models.QuerySet):
    def live(self):
        """The shifts not cancelled: the only ones that put a team somewhere."""
        return self.filter(cancelled_at__isnull=True)


class TeamShift(models.Model):
    """A team working at a round's sampling point from `starts_at` to `ends_at`. A team is
    at one place at a time: overlapping shifts of one team are refused (teams.shift_assign,
    under the team's key lock). A cancelled shift is kept (who, when, why) and shown as
    cancelled; it no longer counts anywhere and is never edited again."""

    team = models.ForeignKey(SamplingTeam, on_delete=models.PROTECT, related_name="shifts")
    point = models.ForeignKey(
        "labtests.SamplingPoint", on_delete=models.CASCADE, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("từ"))
    ends_at = models.DateTimeField(_("đến"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người hủy"),
    )
    cancel_reason = models.CharField(_("lý do hủy"), max_length=200, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="labtests_shift_window"
            )
        ]
        indexes = [
            # The overlap check of a team, and "my shifts today" through the team.
            models.Index(fields=["team", "starts_at"], name="labtests_shift_team"),
            # Which team is on shift at a point when a sample is taken there.
            models.Index(fields=["point", "starts_at"], name="labtests_shift_point"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.point_id} · {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def ends_next_day(self) -> bool:
        """A shift past midnight: the schedules show its end with the day."""
        return timezone.localdate(self.ends_at) != timezone.localdate(self.starts_at)
