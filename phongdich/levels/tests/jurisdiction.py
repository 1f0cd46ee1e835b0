"""Level pages of commune B, for the site-wide boundary walk (web/tests). Levels are
aggregates, not personal data, but a unit outside the jurisdiction still answers 404."""


def _unit_b(world, staff):
    return {"code": world.commune_b.code}


def _district_b(world, staff):
    return {"code": world.district_b.code}


RECORDS_IN_COMMUNE_B = {
    "levels:table_unit": _district_b,
    "levels:unit": _unit_b,
    "levels:review": _unit_b,
    "levels:publish": _unit_b,
}

RECORDS_IN_COMMUNE_B["levels:publish_all"] = _district_b

NOT_PERSONAL = {
    "levels:threshold_change": "a threshold of the province's rule sets (policy data, "
    "province-wide; only the province's health department and admin open it)",
    "levels:rule_start_change": "the start day of a rule set (policy data, province-wide; "
    "only the province's health department and admin change it)",
}
