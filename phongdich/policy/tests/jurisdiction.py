"""Policy rows of commune B, for the site-wide boundary walk (web/tests): a commune worker is
refused every policy page (province admins only), whatever the row."""

from django.apps import apps


def _routing_rule_in_b(world, staff):
    from phongdich.hotline.models import ResponsibleUnit, RoutingRule

    station_b = ResponsibleUnit.objects.create(
        name="Trạm y tế Bắc Sơn", kind="health_station", admin_unit=world.commune_b
    )
    rule, _ = RoutingRule.objects.get_or_create(
        category=None, admin_unit=world.commune_b, defaults={"unit": station_b}
    )
    return {"slug": "hotline-routing", "pk": rule.pk}


def _table(world, staff):
    return {"slug": "hotline-routing"}


if apps.is_installed("phongdich.hotline"):
    RECORDS_IN_COMMUNE_B = {
        "policy:list": _table,
        "policy:create": _table,
        "policy:export": _table,
        "policy:edit": _routing_rule_in_b,
        "policy:deactivate": _routing_rule_in_b,
        "policy:activate": _routing_rule_in_b,
    }
    NOT_PERSONAL: dict[str, str] = {}
else:
    RECORDS_IN_COMMUNE_B = {}
    NOT_PERSONAL = {
        name: "policy tables are province-wide configuration, province admins only"
        for name in ("list", "create", "export", "edit", "deactivate", "activate")
    }
    NOT_PERSONAL = {f"policy:{name}": reason for name, reason in NOT_PERSONAL.items()}
