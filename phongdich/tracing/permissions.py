"""Who traces contacts. The accounts app keeps one role list in `accounts.Role` (a new role
would be a migration there), so tracing is done by the commune health station and its F0
care teams, and district and province health officers see and act on their whole area."""

from phongdich.accounts.models import Role

# List contacts, record their status, import lists, open clusters.
TRACER_ROLES = (
    Role.COMMUNE_HEALTH_WORKER,
    Role.CARE_TEAM_MEMBER,
    Role.HEALTH_OFFICER,
    Role.PROVINCE_ADMIN,
)
READ_ROLES = TRACER_ROLES
