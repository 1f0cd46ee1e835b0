"""Zone records of commune B, for the site-wide boundary walk (web/tests).

A zone itself is a place and a decision, but its page lists households (address, head,
phone), so every zone URL is walked: commune A's worker gets 404 on commune B's zones."""


def _zone(world, staff):
    from .builders import zone_in_force

    return {"pk": zone_in_force(world, staff).pk}


def _pending(world, staff):
    from .builders import proposed_zone

    zone = proposed_zone(world, staff)
    return {"pk": zone.pk, "proposal": zone.proposals.get().pk}


RECORDS_IN_COMMUNE_B = {
    "zones:detail": _zone,
    "zones:propose": _zone,
    "zones:facts": _zone,
    "zones:household": _zone,
    "zones:request": _zone,
    "zones:delivery": _zone,
    "zones:decide": _pending,
}
