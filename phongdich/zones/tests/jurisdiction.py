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


def _household(world, staff):
    from phongdich.zones import services

    from .builders import zone_in_force

    zone = zone_in_force(world, staff)
    household = services.household_add(
        by=staff.commune_worker_b, zone=zone, address="Số 1", phone="+84912000999"
    )
    return {"pk": zone.pk, "household": household.pk}


def _checkpoint(world, staff):
    from phongdich.checkpoints.models import Checkpoint

    from .builders import zone_in_force

    zone = zone_in_force(world, staff)
    checkpoint = Checkpoint.objects.create(name="Chốt ngõ 4", unit=world.commune_b, zone=zone)
    return {"pk": zone.pk, "checkpoint": checkpoint.pk}


RECORDS_IN_COMMUNE_B = {
    "zones:household_link_issue": _household,
    "zones:household_link": _household,
    "zones:household_link_send": _household,
    "zones:checkpoint_attach": _zone,
    "zones:checkpoint_detach": _checkpoint,
    "zones:detail": _zone,
    "zones:propose": _zone,
    "zones:facts": _zone,
    "zones:household": _zone,
    "zones:request": _zone,
    "zones:delivery": _zone,
    "zones:decide": _pending,
}
