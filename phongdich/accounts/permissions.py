"""Deny-by-default access checks.

Every view declares which roles may use it (`@role_required(...)`); every query over personal
data goes through `scope_to_jurisdiction`, so a user sees only their unit's subtree and a
user without a unit sees nothing (after commcare-hq's `accessible_to_user`).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from phongdich.geo.models import AdminUnit
from phongdich.geo.province import province_of_path

from .models import Role

ALL_STAFF = tuple(Role.values)
# Roles that may see individual people's records (names, phones, health data). A facility
# officer sees only their own facility's beds and stock (facilities.selectors), never the
# province's people. The police see the tracing lists of their area (tracing.permissions)
# with names and places only: no registry search, no identifiers.
PERSONAL_DATA_ROLES = tuple(
    r
    for r in Role.values
    if r not in (Role.COMMITTEE_MEMBER, Role.DIRECTIVE_CLERK, Role.FACILITY_OFFICER, Role.POLICE)
)
ADMIN_ROLES = (Role.PROVINCE_ADMIN,)
# Roles whose work has a machine on the other end of the API, and so may create API tokens
# (docs/operations.md, "API tokens"): lab systems and station test devices post results
# (health officers, commune health workers), the switchboard opens 1022 tickets (hotline
# agents), scanners post checkpoint passages (checkpoint officers), and the admin runs
# integrations. The other roles work in the browser only.
API_TOKEN_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.HEALTH_OFFICER,
    Role.COMMUNE_HEALTH_WORKER,
    Role.HOTLINE_AGENT,
    Role.CHECKPOINT_OFFICER,
)


def role_required(*roles: str) -> Callable:
    """Allow only authenticated, active users holding one of `roles`.

    Anonymous users go to the login page; others get 403. The allowed roles are recorded
    on the view (`view.allowed_roles`) so a test can walk every URL and check them.
    """
    if not roles:
        raise ValueError("role_required needs at least one role: deny by default")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = tuple(roles)
        return wrapper

    return decorator


def public_view(view):
    """Mark a view deliberately open to anonymous citizens (personal links, public forms)."""
    view.is_public = True
    return view


def scope_to_jurisdiction(qs: QuerySet, user, unit_field: str) -> QuerySet:
    """Rows whose `unit_field` (an AdminUnit FK path) lies in the user's jurisdiction.

    Written as `unit_id IN (units of the subtree)` rather than a join on the unit's path: the
    planner can then walk another index in order (e.g. people by name) and stop at LIMIT,
    checking each row against a small hashed set of unit ids.
    """
    unit = getattr(user, "jurisdiction", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active or unit is None:
        return qs.none()
    subtree = AdminUnit.objects.filter(path__startswith=unit.path).values("pk")
    qs = qs.filter(**{f"{unit_field}__in": subtree})
    # A table carrying its province code (geo.province) is also filtered on it when the
    # scope goes through the unit the code comes from: the same rows, but PostgreSQL can
    # then read one province's partition and Citus route to one province's shard, and the
    # (province, …) indexes walk that province only (issue 17).
    if getattr(qs.model, "PROVINCE_FROM", None) == unit_field:
        qs = qs.filter(province=province_of_path(unit.path))
    elif "__" in unit_field:
        # A table reached through a coded parent (an alert through its case): the parent's
        # code, so the join reads the parent's one partition instead of probing each.
        hop, rest = unit_field.split("__", 1)
        parent = qs.model._meta.get_field(hop).related_model
        if getattr(parent, "PROVINCE_FROM", None) == rest:
            qs = qs.filter(**{f"{hop}__province": province_of_path(unit.path)})
    return qs


def scope_q(user, unit_field: str) -> Q:
    """The same scope as a Q object, for OR-ing with other conditions."""
    unit = getattr(user, "jurisdiction", None)
    if not getattr(user, "is_authenticated", False) or unit is None:
        return Q(pk__in=[])
    return Q(**{f"{unit_field}__path__startswith": unit.path})


def check_unit_access(user, unit) -> None:
    """Raise PermissionDenied unless `unit` lies in the user's jurisdiction."""
    if (
        unit is None
        or user.jurisdiction is None
        or not unit.path.startswith(user.jurisdiction.path)
    ):
        raise PermissionDenied


def may_act_on_unit(user, unit, *, roles_above: tuple[str, ...] = ()) -> bool:
    """Whether `user` may act on (publish, approve, change) a record belonging to `unit`.

    Inside the user's jurisdiction: yes. A unit above the user's own (the province, for a
    district officer) may often be *read*, e.g. the province's daily announcement, but acting
    on it is refused unless the user's role is in `roles_above`, which the action names when
    its work really needs it. Any other unit: never.
    """
    own = getattr(user, "jurisdiction", None)
    if unit is None or own is None or not getattr(user, "is_active", False):
        return False
    if unit.is_within(own):
        return True
    if own.is_within(unit):
        return user.role in roles_above
    return False


def check_act_on_unit(user, unit, *, roles_above: tuple[str, ...] = ()) -> None:
    """Raise PermissionDenied unless `may_act_on_unit`; for services, before they write."""
    if not may_act_on_unit(user, unit, roles_above=roles_above):
        raise PermissionDenied
