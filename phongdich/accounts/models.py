import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.lib.idempotency import SubmittedOnce


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Quản trị hệ thống")
    COMMITTEE_MEMBER = "committee_member", _("Thành viên Ban Chỉ đạo")
    HEALTH_OFFICER = "health_officer", _("Cán bộ y tế (tỉnh/huyện)")
    COMMUNE_HEALTH_WORKER = "commune_health_worker", _("Cán bộ trạm y tế xã")
    CARE_TEAM_MEMBER = "care_team_member", _("Thành viên tổ chăm sóc F0")
    HOTLINE_AGENT = "hotline_agent", _("Tổng đài viên 1022")
    CHECKPOINT_OFFICER = "checkpoint_officer", _("Cán bộ chốt kiểm soát")
    RELIEF_OFFICER = "relief_officer", _("Cán bộ trung tâm hỗ trợ")
    DIRECTIVE_CLERK = "directive_clerk", _("Chuyên viên theo dõi kết luận")
    UNIT_REPORTER = "unit_reporter", _("Cán bộ báo cáo của đơn vị")
    VACCINATION_OFFICER = "vaccination_officer", _("Cán bộ tiêm chủng (xã/huyện)")
    FACILITY_OFFICER = "facility_officer", _("Cán bộ cơ sở điều trị/cách ly")
    # Community COVID team members who trace contacts (issue 13): the tracing menu only.
    TRACER = "tracer", _("Thành viên tổ truy vết (tổ COVID cộng đồng)")
    # Police as a read-only tracing partner: contact lists and chains of their area, no
    # identifiers, no registry search, no writes.
    POLICE = "police", _("Công an phối hợp truy vết")


class User(SubmittedOnce, AbstractUser):
    """A staff member. Citizens never get accounts: they use personal links."""

    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    # The unit whose subtree this user may see. Null means: sees no personal data at all.
    jurisdiction = models.ForeignKey(
        "geo.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(max_length=16, blank=True)
    # Organisation the user reports for (directives' unit directory), free text until linked.
    organisation = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["username"]

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def is_province_admin(self) -> bool:
        return self.has_role(Role.PROVINCE_ADMIN)


class ApiToken(SubmittedOnce):
    """A token for integrations (lab systems, SMS gateways). Only its SHA-256 is stored.

    Every token expires (services.API_TOKEN_MAX_DAYS at most) and can be revoked by its
    owner or by an admin over the owner's unit; `api_token_authenticate` refuses both.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "pd_" + secrets.token_urlsafe(32)
