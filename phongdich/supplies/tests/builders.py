from phongdich.supplies import catalogue
from phongdich.supplies.models import Place


def item(code="oxy-long"):
    return catalogue.item(code)


def warehouse(unit, name=None):
    return Place.objects.create(
        kind=Place.Kind.DISTRICT_WAREHOUSE, name=name or f"Kho {unit.name}", unit=unit
    )


def station(unit):
    return Place.objects.create(
        kind=Place.Kind.COMMUNE_STATION, name=f"Trạm y tế {unit.name}", unit=unit
    )
