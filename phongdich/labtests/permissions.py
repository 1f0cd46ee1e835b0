"""Who takes samples, records results and runs screening campaigns: the health staff roles
that already hold personal data (no separate lab role yet, see docs/labtests.md)."""

from phongdich.accounts.models import Role

SAMPLE_ROLES = (
    Role.COMMUNE_HEALTH_WORKER,
    Role.HEALTH_OFFICER,
    Role.PROVINCE_ADMIN,
)
RESULT_ROLES = SAMPLE_ROLES
# Campaign progress is aggregate figures only: the steering committee reads it too.
CAMPAIGN_ROLES = (*SAMPLE_ROLES, Role.COMMITTEE_MEMBER)
CAMPAIGN_EDIT_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)
