from datetime import date

from phongdich.zones import services
from phongdich.zones.models import Zone


def proposed_zone(world, staff, *, commune=None, name="Khu phố 3 Bắc Sơn", **extra) -> Zone:
    commune = commune or world.commune_b
    proposer = staff.commune_worker_b if commune == world.commune_b else staff.commune_worker_a
    return services.zone_propose(
        by=proposer,
        name=name,
        kind=extra.pop("kind", Zone.Kind.STREET),
        commune=commune,
        reason="Ổ dịch 5 ca trong khu phố",
        people_count=420,
        households_count=110,
        **extra,
    )


def zone_in_force(world, staff, *, started_on=date(2021, 8, 1), **extra) -> Zone:
    zone = proposed_zone(world, staff, **extra)
    services.proposal_decide(
        by=staff.province_health_officer,
        proposal=zone.proposals.get(),
        approve=True,
        decision_number="123/QĐ-UBND",
        decision_date=started_on,
    )
    zone.refresh_from_db()
    return zone
