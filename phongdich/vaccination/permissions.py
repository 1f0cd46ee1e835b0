"""Who records doses and resolves the review queue."""

from phongdich.accounts.models import Role

# Record a dose, open a person's vaccination record, import files, resolve the queue.
RECORD_ROLES = (
    Role.VACCINATION_OFFICER,
    Role.COMMUNE_HEALTH_WORKER,
    Role.HEALTH_OFFICER,
    Role.PROVINCE_ADMIN,
)
REVIEW_ROLES = RECORD_ROLES
# Coverage figures are aggregates (no personal data): also the steering committee.
COVERAGE_ROLES = (*RECORD_ROLES, Role.COMMITTEE_MEMBER, Role.UNIT_REPORTER)
# Create and edit campaigns, targets and task links (province or district level).
CAMPAIGN_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)
# Reopen a concluded AEFI investigation: the district health centre that concluded it (its
# health officers) or the province; not the commune that reported it.
AEFI_REOPEN_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)
