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


def _procurement_b(world, staff):
    """A purchase of district B (a commune worker has no procurement role either way)."""
    from phongdich.supplies import procurement

    from .builders import item

    record = procurement.procurement_create(
        by=staff.province_admin,
        unit=world.district_b,
        need="Bổ sung oxy",
        item=item("oxy-long"),
        quantity=1000,
        amount_vnd=50_000_000,
    )
    return {"pk": record.pk}


def _procurement_document_b(world, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from phongdich.supplies import procurement
    from phongdich.supplies.models import Procurement

    kwargs = _procurement_b(world, staff)
    document = procurement.procurement_attach(
        by=staff.province_admin,
        procurement=Procurement.objects.get(pk=kwargs["pk"]),
        upload=SimpleUploadedFile("qd.pdf", b"%PDF-1.4 test"),
    )
    return {"pk": kwargs["pk"], "doc": document.pk}


RECORDS_IN_COMMUNE_B = {
    "supplies:procurement": _procurement_b,
    "supplies:procurement_advance": _procurement_b,
    "supplies:procurement_attach": _procurement_b,
    "supplies:procurement_document": _procurement_document_b,
    "supplies:request_create": _place_b,
    "supplies:request": _request_b,
    "supplies:request_decide": _request_b,
    "supplies:request_fulfil": _request_b,
    "supplies:place": _place_b,
    "supplies:movement": _place_b,
    "supplies:transfer": _place_b,
    "supplies:correct": _entry_b,
}
