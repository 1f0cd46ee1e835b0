"""Registers the stats pages with the site-wide boundary walker (web/tests)."""


def _district_b(world, staff):
    return {"code": world.district_b.code}


RECORDS_IN_COMMUNE_B = {"stats:unit": _district_b, "stats:dashboard_unit": _district_b}
