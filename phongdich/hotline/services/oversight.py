"""The oversight page's precomputed figures (the scheduler's `hotline.refresh_oversight`)."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from phongdich.geo.selectors import home_province

from .. import selectors
from ..models import OversightSnapshot, Ticket
from ..roles import DESK_ROLES, OVERSIGHT_ROLES


def oversight_scopes() -> set[tuple[int, bool]]:
    """Every (jurisdiction, desk) an active oversight reader has, plus the province's two:
    a few dozen at province scale, however many tickets there are."""
    readers = (
        get_user_model()
        .objects.filter(is_active=True, role__in=OVERSIGHT_ROLES, jurisdiction__isnull=False)
        .values_list("jurisdiction_id", "role")
        .distinct()
    )
    scopes = {(unit_id, role in DESK_ROLES) for unit_id, role in readers}
    province = home_province()
    if province is not None:
        scopes |= {(province.pk, True), (province.pk, False)}
    return scopes


def oversight_refresh(*, days: int = selectors.OVERSIGHT_DAYS, now=None) -> int:
    """Recompute every scope's snapshot; returns how many. Each row is an upsert on its
    scope's unique key, so an overlapping or repeated run leaves one row per scope with
    the latest figures. Aggregates only: no personal data is read out or stored."""
    from phongdich.geo.models import AdminUnit

    now = now or timezone.now()
    scopes = sorted(oversight_scopes())
    units = AdminUnit.objects.in_bulk({unit_id for unit_id, _ in scopes})
    rows = []
    for unit_id, desk in scopes:
        unit = units.get(unit_id)
        if unit is None:
            continue
        tickets = Ticket.objects.filter(selectors.ticket_scope_for(unit, desk=desk))
        rows.append(
            OversightSnapshot(
                unit=unit,
                desk=desk,
                days=days,
                computed_at=now,
                figures=selectors.oversight_figures(tickets, days=days, now=now),
            )
        )
    OversightSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["unit", "desk", "days"],
        update_fields=["computed_at", "figures"],
    )
    return len(rows)
