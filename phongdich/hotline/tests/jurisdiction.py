"""Hotline records of commune B, for the site-wide boundary walk (web/tests)."""


def _ticket_in_b(world, staff):
    from phongdich.hotline import services
    from phongdich.hotline.models import ResponsibleUnit, RoutingRule

    station_b = ResponsibleUnit.objects.create(
        name="Trạm y tế Bắc Sơn", kind="health_station", admin_unit=world.commune_b
    )
    RoutingRule.objects.get_or_create(
        category=None, admin_unit=world.commune_b, defaults={"unit": station_b}
    )
    ticket = services.ticket_create(
        by=None, channel="web", category="f0_advice", text="hỏi thuốc", commune=world.commune_b
    )
    return {"pk": ticket.pk}


def _relief_in_b(world, staff):
    from phongdich.hotline import services

    relief = services.relief_request_create(
        by=staff.relief_officer,
        household_name="Hộ xã B",
        commune=world.commune_b,
        need_rice=True,
    )
    return {"pk": relief.pk}


RECORDS_IN_COMMUNE_B = {
    **{
        f"hotline:{name}": _ticket_in_b
        for name in (
            "ticket",
            "ticket_case",
            "claim",
            "release",
            "forward",
            "reassign",
            "reply",
            "resolve",
            "close",
        )
    },
    "hotline:relief_detail": _relief_in_b,
}
NOT_PERSONAL: dict[str, str] = {}
# The SMS/chat gateway's webhook: no session, refused (401, nothing stored) unless the body
# carries a valid HMAC-SHA256 signature with HOTLINE_WEBHOOK_SECRET.
API_PUBLIC = {"/api/hotline/inbound": "HMAC-signed SMS/chat gateway webhook"}
