"""Stock places of commune B, for the site-wide boundary walk (web/tests)."""


def _place_b(world, staff):
    from .builders import station

    return {"pk": station(world.commune_b).pk}


def _entry_b(world, staff):
    from phongdich.supplies import services

    from .builders import item, station

    place = station(world.commune_b)
    entry = services.stock_receive(
        by=staff.commune_worker_b, place=place, item=item("test-nhanh"), quantity=100
    )
    return {"pk": place.pk, "entry": entry.pk}


def _request_b(world, staff):
    from datetime import date

    from phongdich.supplies import services

    from .builders import item, station

    request = services.supply_request_create(
        by=staff.commune_worker_b,
        place=station(world.commune_b),
        item=item("test-nhanh"),
        quantity=500,
        needed_by=date(2026, 12, 10),
        reason="Hết kit test",
    )
    return {"pk": request.pk}


RECORDS_IN_COMMUNE_B = {
    "supplies:request_create": _place_b,
    "supplies:request": _request_b,
    "supplies:request_decide": _request_b,
    "supplies:request_fulfil": _request_b,
    "supplies:place": _place_b,
    "supplies:movement": _place_b,
    "supplies:transfer": _place_b,
    "supplies:correct": _entry_b,
}
