"""Facility records of commune B (district B), for the site-wide boundary walk (web/tests).

Facilities hold no personal data, but the register is still scoped: a health officer edits
only the facilities of their jurisdiction, a facility officer reaches only their own, and
commune workers have no facility pages at all."""


def _site_in_b(world, staff):
    from phongdich.facilities.models import Facility

    return Facility.objects.create(
        name="Khu cách ly Bắc Sơn", kind="isolation", unit=world.commune_b, beds_total=5
    )


def _facility(world, staff):
    return {"pk": _site_in_b(world, staff).pk}


def _stay(world, staff):
    from phongdich.facilities.services import facility_occupy

    site = _site_in_b(world, staff)
    (stay,) = facility_occupy(by=staff.province_admin, facility=site, delta=1)
    return {"pk": site.pk, "stay": stay.pk}


# /facilities/plans/ and /facilities/board/ take the unit in the query string, not the
# path; test_readiness and test_board walk the other district's answer (404).
RECORDS_IN_COMMUNE_B = {
    "facilities:detail": _facility,
    "facilities:edit": _facility,
    "facilities:capacity": _facility,
    "facilities:report": _facility,
    "facilities:source": _facility,
    "facilities:admit": _facility,
    "facilities:staff": _facility,
    "facilities:discharge": _stay,
}
