"""Setting up a province's responsible units and routing table."""

from django.db import transaction

from phongdich.audit.services import audit_record

from ..models import (
    Category,
    ResponsibleUnit,
    RoutingRule,
)


@transaction.atomic
def routing_seed_province(*, by, province) -> dict:
    """Create the default units and routing table for a province (idempotent).

    Province: the 1022 desk (catch-all), the CDC (branch cdc) and the relief centre (food);
    each district: its police (violations, including undeclared arrivals); each commune:
    its health station (catch-all: emergency, F0 advice...) and its People's Committee
    (social welfare, administrative procedures). Officials then edit units, focal points
    and rules in the admin.
    """
    from phongdich.geo.models import AdminUnit

    cats = {c.code: c for c in Category.objects.all()}
    created = {"units": 0, "rules": 0}

    def unit(name, kind, admin_unit):
        obj, made = ResponsibleUnit.objects.get_or_create(
            kind=kind, admin_unit=admin_unit, defaults={"name": name}
        )
        created["units"] += made
        return obj

    def rule(category_code, admin_unit, target):
        _obj, made = RoutingRule.objects.get_or_create(
            category=cats.get(category_code) if category_code else None,
            admin_unit=admin_unit,
            defaults={"unit": target},
        )
        created["rules"] += made

    desk = unit(f"Tổng đài 1022 {province.name}", ResponsibleUnit.Kind.OTHER, province)
    cdc = unit(f"CDC {province.name}", ResponsibleUnit.Kind.CDC, province)
    relief = unit("Trung tâm hỗ trợ người dân", ResponsibleUnit.Kind.RELIEF_CENTRE, province)
    rule(None, province, desk)
    rule("cdc", province, cdc)
    rule("food", province, relief)
    below = AdminUnit.objects.filter(path__startswith=province.path).exclude(pk=province.pk)
    for district in below.filter(kind=AdminUnit.Kind.DISTRICT):
        police = unit(f"Công an {district.name}", ResponsibleUnit.Kind.DISTRICT_POLICE, district)
        rule("violation", district, police)
    for commune in below.filter(kind=AdminUnit.Kind.COMMUNE):
        station = unit(f"Trạm y tế {commune.name}", ResponsibleUnit.Kind.HEALTH_STATION, commune)
        committee = unit(f"UBND {commune.name}", ResponsibleUnit.Kind.COMMUNE_COMMITTEE, commune)
        rule(None, commune, station)
        rule("social_welfare", commune, committee)
        rule("admin_procedures", commune, committee)
    audit_record(actor=by, action="hotline.routing_seed", target=province, changes=created)
    return created
