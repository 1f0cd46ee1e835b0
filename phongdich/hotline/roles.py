"""Who does what on the hotline (role tuples used by views, navigation and the API)."""

from phongdich.accounts.models import Role

# The 1022 desk: takes calls, sees every ticket of its jurisdiction (by caller's commune or
# by the unit it was routed to), claims, forwards, reassigns.
DESK_ROLES = (Role.HOTLINE_AGENT, Role.PROVINCE_ADMIN)
# Responsible units' staff: see tickets routed to units inside their jurisdiction only.
UNIT_ROLES = (
    Role.COMMUNE_HEALTH_WORKER,
    Role.CARE_TEAM_MEMBER,
    Role.HEALTH_OFFICER,
    Role.RELIEF_OFFICER,
)
TICKET_ROLES = DESK_ROLES + UNIT_ROLES
RELIEF_ROLES = (Role.RELIEF_OFFICER, Role.PROVINCE_ADMIN, Role.HOTLINE_AGENT)
# Aggregates only (no names): the committee may see them too.
OVERSIGHT_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.COMMITTEE_MEMBER,
    Role.HEALTH_OFFICER,
    Role.HOTLINE_AGENT,
    Role.RELIEF_OFFICER,
)
