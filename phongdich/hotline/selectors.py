"""Every read the hotline's pages and API need, scoped to the reader's jurisdiction."""

import logging
import statistics
from datetime import timedelta

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.models import Role
from phongdich.accounts.permissions import scope_to_jurisdiction
from phongdich.geo.selectors import units_within
from phongdich.lib.identity import normalize_phone
from phongdich.lib.pagination import Key, keyset_order
from phongdich.people.selectors import people_visible_to

from .models import (
    OPEN_STATUSES,
    Category,
    Priority,
    ReliefRequest,
    ResponsibleUnit,
    Status,
    SupportPayment,
    Ticket,
    TicketMessage,
)
from .roles import DESK_ROLES

logger = logging.getLogger(__name__)


def case_summary(person) -> dict | None:
    """The person's F0 case as the cases app summarises it, or None (no app, no case).

    The cases app is optional and built separately: look it up at call time, never import
    it at module level, and treat any failure of the contract as "no case known".
    """
    if person is None or not apps.is_installed("phongdich.cases"):
        return None
    try:
        from phongdich.cases.selectors import case_summary_for_person
    except (ImportError, AttributeError):
        return None
    try:
        return case_summary_for_person(person)
    except Exception:  # the caller's screen must still open if the F0 lookup fails
        logger.exception("case_summary_for_person failed")
        return None


def vaccination_summary(user, person) -> dict | None:
    """The person's vaccination status as the vaccination app gives it to this user, or
    None (no app, a role that may not see it, outside the jurisdiction). Same contract as
    `case_summary`: looked up at call time, and a failure never blocks the caller card."""
    if person is None or not apps.is_installed("phongdich.vaccination"):
        return None
    try:
        from phongdich.vaccination.selectors import person_vaccination_status
    except (ImportError, AttributeError):
        return None
    try:
        return person_vaccination_status(user, person)
    except Exception:
        logger.exception("person_vaccination_status failed")
        return None


# Roles that open the F0's full record in the cases app; everyone else at the desk sees the
# summary page (their role may not read the clinical record: a link would answer 403).
CASE_RECORD_ROLES = (
    Role.PROVINCE_ADMIN,
    Role.HEALTH_OFFICER,
    Role.COMMUNE_HEALTH_WORKER,
    Role.CARE_TEAM_MEMBER,
)


def station_for_commune(commune_id) -> ResponsibleUnit | None:
    """The commune's health station (its phone is what the agent gives the caller)."""
    if not commune_id:
        return None
    return (
        ResponsibleUnit.objects.filter(
            admin_unit_id=commune_id, kind=ResponsibleUnit.Kind.HEALTH_STATION, active=True
        )
        .order_by("pk")
        .first()
    )


def ticket_scope(user) -> Q:
    """Desk staff see tickets from callers in their area or routed to units in it; unit
    staff see only tickets routed to units inside their jurisdiction.

    Written as `id IN (subquery)` over the jurisdiction's subtree rather than joins on
    `path`, so PostgreSQL can walk the open-tickets-by-due-time index and stop after a page
    instead of joining and sorting every open ticket (bench/hotline_tickets.py).
    """
    return ticket_scope_for(user.jurisdiction, desk=user.has_role(*DESK_ROLES))


def ticket_scope_for(unit, *, desk: bool) -> Q:
    """`ticket_scope` for a jurisdiction and kind of reader, without a user: the oversight
    refresh computes each scope's figures once for all its readers."""
    subtree = units_within(unit).values("pk")
    routed = Q(
        assigned_unit_id__in=ResponsibleUnit.objects.filter(admin_unit_id__in=subtree).values("pk")
    )
    if desk:
        return routed | Q(commune_id__in=subtree)
    return routed


def tickets_visible_to(user) -> QuerySet[Ticket]:
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_active
        or user.jurisdiction_id is None
    ):
        return Ticket.objects.none()
    return Ticket.objects.filter(ticket_scope(user))


def ticket_get(user, pk: int) -> Ticket:
    ticket = (
        tickets_visible_to(user)
        .select_related(
            "category",
            "assigned_unit__admin_unit",
            "commune__parent",
            "claimed_by",
            "person",
            "food_request__zone__commune__parent",
        )
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


# The desk's queue order (most urgent due time first), as keyset keys for its pages.
QUEUE_KEYS = (Key("due_at"), Key("pk"))


def ticket_queue(
    user,
    *,
    category: str = "",
    priority: str = "",
    unit: int | None = None,
    state: str = "open",
    mine: bool = False,
    overdue: bool = False,
    unclaimed: bool = False,
) -> QuerySet[Ticket]:
    qs = tickets_visible_to(user)
    if state == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif state in Status.values:
        qs = qs.filter(status=state)
    if category:
        qs = qs.filter(category__code=category)
    if priority:
        qs = qs.filter(priority=priority)
    if unit:
        qs = qs.filter(assigned_unit_id=unit)
    if mine:
        qs = qs.filter(claimed_by=user)
    # The home page's figures link here with these (hotline.panels counts the same).
    if overdue:
        qs = qs.filter(due_at__lt=timezone.now())
    if unclaimed:
        qs = qs.filter(claimed_by__isnull=True)
    return qs.select_related("category", "assigned_unit", "commune", "claimed_by").order_by(
        *keyset_order(Ticket, QUEUE_KEYS)
    )


def ticket_thread(ticket: Ticket, *, include_internal: bool) -> list[TicketMessage]:
    qs = ticket.messages.select_related("author")
    if not include_internal:
        qs = qs.filter(internal=False)
    return list(qs)


def ticket_events(ticket: Ticket):
    return list(ticket.events.select_related("actor", "from_unit", "to_unit"))


def units_visible_to(user) -> QuerySet[ResponsibleUnit]:
    return scope_to_jurisdiction(
        ResponsibleUnit.objects.filter(active=True), user, "admin_unit"
    ).select_related("admin_unit__parent")


def forward_targets(user) -> QuerySet[ResponsibleUnit]:
    """Units a ticket may be forwarded to: any active unit in the province the user works
    in (a commune station must be able to pass a police matter up to the district)."""
    if user.jurisdiction is None:
        return ResponsibleUnit.objects.none()
    province_path = "/" + user.jurisdiction.path.strip("/").split("/")[0] + "/"
    return (
        ResponsibleUnit.objects.filter(active=True, admin_unit__path__startswith=province_path)
        .select_related("admin_unit__parent")
        .order_by("admin_unit__path", "name")
    )


def _active_zones_at(user, unit) -> list:
    """Active lockdown zones of the caller's commune, so the agent routes food requests to
    the zone (the zones app's read decides who may see it)."""
    if unit is None or not apps.is_installed("phongdich.zones"):
        return []
    from phongdich.zones.selectors import active_zones_at

    return active_zones_at(user, unit)


def caller_lookup(user, phone: str) -> dict:
    """Who is calling: people with this phone in the agent's area, their F0 case, and the
    phone's recent tickets."""
    try:
        normalized = normalize_phone(phone)
    except ValidationError:
        return {"phone": "", "people": [], "tickets": [], "valid": False}
    people = list(people_visible_to(user).filter(phone=normalized)[:5])
    found = [
        {
            "person": p,
            "case": case_summary(p),
            "vaccination": vaccination_summary(user, p),
            "zones": _active_zones_at(user, p.commune),
        }
        for p in people
    ]
    recent = list(
        tickets_visible_to(user)
        .filter(caller_phone=normalized)
        .select_related("category")
        .order_by("-created_at")[:5]
    )
    return {"phone": normalized, "people": found, "tickets": recent, "valid": True}


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


# --- Oversight ----------------------------------------------------------------------------


def _median_minutes(pairs) -> float | None:
    values = [(end - start).total_seconds() / 60 for start, end in pairs if start and end]
    return round(statistics.median(values), 1) if values else None


OVERSIGHT_DAYS = 30
# Past this age a snapshot is not shown: the worker is down, and figures computed now are
# worth the wait. The refresh runs every 5 minutes (schedule/jobs.py).
OVERSIGHT_STALE_AFTER = timedelta(minutes=30)


def oversight_figures(tickets: QuerySet[Ticket], *, days: int = OVERSIGHT_DAYS, now=None) -> dict:
    """The oversight figures of a set of tickets, as plain JSON values (the refresh stores
    them); aggregates only, no names."""
    open_qs = tickets.filter(status__in=OPEN_STATUSES)
    now = now or timezone.now()
    recent = tickets.filter(created_at__gte=now - timedelta(days=days))
    return {
        "open_total": open_qs.count(),
        "by_category": list(
            open_qs.values("category__name").annotate(n=Count("pk")).order_by("-n")
        ),
        "by_priority": list(
            open_qs.values("priority").annotate(n=Count("pk")).order_by("priority")
        ),
        "by_unit": list(
            open_qs.values("assigned_unit__name").annotate(n=Count("pk")).order_by("-n")[:50]
        ),
        "open_breached": open_qs.filter(due_at__lt=now).count(),
        "resolved_late": recent.filter(resolved_at__isnull=False)
        .filter(resolved_at__gt=F("due_at"))
        .count(),
        "created_recent": recent.count(),
        # Bounded to the window; computed by the refresh job, never per page view.
        "median_first_response": _median_minutes(
            recent.filter(first_response_at__isnull=False).values_list(
                "created_at", "first_response_at"
            )[:50000]
        ),
        "median_resolution": _median_minutes(
            recent.filter(resolved_at__isnull=False).values_list("created_at", "resolved_at")[
                :50000
            ]
        ),
        "days": days,
    }


def oversight_scope(user) -> tuple | None:
    """(jurisdiction id, desk) naming the snapshot this user reads, or None (sees nothing)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.jurisdiction_id is None:
        return None
    return user.jurisdiction_id, user.has_role(*DESK_ROLES)


def oversight(user, *, days: int = OVERSIGHT_DAYS) -> dict:
    """Counts for the oversight page, read from the scope's precomputed snapshot (one row
    whatever the number of tickets); computed on the spot only when the refresh has not yet
    seen this scope or has stopped running."""
    from .models import OversightSnapshot

    scope = oversight_scope(user)
    snapshot = None
    if scope is not None:
        snapshot = OversightSnapshot.objects.filter(
            unit_id=scope[0],
            desk=scope[1],
            days=days,
            computed_at__gte=timezone.now() - OVERSIGHT_STALE_AFTER,
        ).first()
    if snapshot is not None:
        figures, computed_at = dict(snapshot.figures), snapshot.computed_at
    else:
        computed_at = timezone.now()
        figures = oversight_figures(tickets_visible_to(user), days=days, now=computed_at)
    figures["by_priority"] = [
        {**row, "priority_label": Priority(row["priority"]).label} for row in figures["by_priority"]
    ]
    figures["computed_at"] = computed_at
    return figures


def tickets_created_on(user, day) -> QuerySet[Ticket]:
    return (
        tickets_visible_to(user)
        .filter(created_at__date=day)
        .select_related("category", "assigned_unit", "commune")
        .order_by("created_at")
    )


# --- Relief ---------------------------------------------------------------------------------


def relief_visible_to(user) -> QuerySet[ReliefRequest]:
    return scope_to_jurisdiction(ReliefRequest.objects.all(), user, "commune").select_related(
        "commune", "repeat_of"
    )


def relief_get(user, pk: int) -> ReliefRequest:
    request = relief_visible_to(user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def support_payments_visible_to(user) -> QuerySet[SupportPayment]:
    return scope_to_jurisdiction(
        SupportPayment.objects.all(), user, "person__commune"
    ).select_related("person", "policy", "recorded_by")
