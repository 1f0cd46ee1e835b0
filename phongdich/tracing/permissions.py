"""Who traces contacts (issue 13, "Roles"): commune health stations, their F0 care teams and
the community tracing teams (`Role.TRACER`, whose menu is tracing only) record and import
contacts; district and province health officers see and act on their whole area. The
police are a read-only partner (`Role.POLICE`): the contact lists, contacts, clusters,
chains and indicators of their jurisdiction, with names and places but no identifiers
(people.need_to_know gives them none), never a write, an import or a registry search."""

from phongdich.accounts.models import Role

# List contacts, record their status, import lists, open clusters.
TRACER_ROLES = (
    Role.COMMUNE_HEALTH_WORKER,
    Role.CARE_TEAM_MEMBER,
    Role.TRACER,
    Role.HEALTH_OFFICER,
    Role.PROVINCE_ADMIN,
)
READ_ROLES = (*TRACER_ROLES, Role.POLICE)


def may_write(user) -> bool:
    return user.has_role(*TRACER_ROLES)
