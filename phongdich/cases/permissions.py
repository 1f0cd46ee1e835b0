"""Who may use the F0 pages (the views still scope every row to the user's jurisdiction)."""

from phongdich.accounts.models import Role

# Staff who look after F0: the commune station, its care team, district/province health.
CASE_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.HEALTH_OFFICER,
    Role.COMMUNE_HEALTH_WORKER,
    Role.CARE_TEAM_MEMBER,
)
# Who may draft and publish the daily announcement (aggregates only, no personal data).
REPORT_EDIT_ROLES = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER)
REPORT_ROLES = REPORT_EDIT_ROLES + (Role.COMMITTEE_MEMBER,)
# Roles that may draft or publish the announcement of a unit above their own: none. A district
# reads the province's announcement; only the province's officers publish it
# (accounts.permissions.may_act_on_unit).
REPORT_EDIT_ABOVE_ROLES: tuple[str, ...] = ()
# Integrations posting lab results with a Bearer token belong to a health officer account.
LAB_ROLES = (Role.PROVINCE_ADMIN, Role.HEALTH_OFFICER, Role.COMMUNE_HEALTH_WORKER)
