"""Demo stock: the province and district warehouses, two commune stations and the treating
facilities, with two weeks of receipts, issues and transfers, so the board shows days of
supply and one hospital about to run out of oxygen. Deterministic for a seed."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from phongdich.facilities.models import Facility

from . import catalogue, services
from .models import Place, StockEntry

DAYS = 14


def _places(province, users) -> list[Place]:
    district, district_b = users["ytehuyen"].jurisdiction, users["tramyte.b"].jurisdiction.parent
    places = [
        Place.objects.create(
            kind=Place.Kind.PROVINCE_WAREHOUSE, name="Kho Sở Y tế Thanh Hóa", unit=province
        ),
        Place.objects.create(
            kind=Place.Kind.DISTRICT_WAREHOUSE,
            name=f"Kho Trung tâm Y tế {district.name}",
            unit=district,
        ),
        Place.objects.create(
            kind=Place.Kind.DISTRICT_WAREHOUSE,
            name=f"Kho Trung tâm Y tế {district_b.name}",
            unit=district_b,
        ),
    ]
    for username in ("tramyte.a", "tramyte.b"):
        commune = users[username].jurisdiction
        places.append(
            Place.objects.create(
                kind=Place.Kind.COMMUNE_STATION, name=f"Trạm Y tế {commune.name}", unit=commune
            )
        )
    for facility in Facility.objects.filter(
        is_active=True, kind__in=("tier1", "tier2", "tier3", "intensive")
    ).order_by("pk")[:8]:
        places.append(services.place_for_facility(by=None, facility=facility))
    return places


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    if StockEntry.objects.exists():
        log("supplies: stock already present, skipped")
        return
    rng = random.Random(seed * 15485863 + 7)
    now = timezone.now()
    by = users["soyte"]
    with transaction.atomic():
        items = {code: catalogue.item(code) for code in catalogue.ITEMS}
        places = _places(province, users)
        warehouse, hospitals = places[0], [p for p in places if p.kind == Place.Kind.FACILITY]
        start = now - timedelta(days=DAYS)
        for code, quantity in (
            ("oxy-long", 60_000),
            ("binh-oxy-40l", 800),
            ("test-nhanh", 200_000),
            ("sinh-pham-pcr", 30_000),
            ("tui-thuoc-a", 20_000),
            ("bo-phong-ho", 15_000),
        ):
            services.stock_receive(
                by=by,
                place=warehouse,
                item=items[code],
                quantity=quantity,
                occurred_at=start,
                note="Tiếp nhận từ Bộ Y tế",
            )
        # The warehouse sends oxygen to each hospital and test kits to districts and stations.
        for place in places[1:]:
            is_hospital = place.kind == Place.Kind.FACILITY
            code, amount = (
                ("oxy-long", rng.randrange(2_000, 5_000))
                if is_hospital
                else ("test-nhanh", rng.randrange(5_000, 15_000))
            )
            services.stock_transfer(
                by=by,
                source=warehouse,
                destination=place,
                item=items[code],
                quantity=amount,
                occurred_at=start + timedelta(hours=2),
            )
        # Daily use over the last week (the window of the consumption rate).
        for place in places[1:]:
            is_hospital = place.kind == Place.Kind.FACILITY
            code = "oxy-long" if is_hospital else "test-nhanh"
            held = services.balance_of(place, items[code])
            per_day = held / Decimal(rng.randrange(9, 30))
            for day in range(7, 0, -1):
                used = (per_day * Decimal(rng.uniform(0.8, 1.2))).quantize(Decimal("1"))
                if used <= 0 or used > services.balance_of(place, items[code]):
                    break
                services.stock_issue(
                    by=by,
                    place=place,
                    item=items[code],
                    quantity=used,
                    occurred_at=now - timedelta(days=day - 0.5),
                )
        # One hospital is about to run out of oxygen: a large issue leaves a few hours of it.
        if hospitals:
            low = hospitals[-1]
            oxy = items["oxy-long"]
            held = services.balance_of(low, oxy)
            week = -sum(
                e.quantity
                for e in low.entries.filter(
                    item=oxy, kind=StockEntry.Kind.ISSUE, occurred_at__gt=now - timedelta(days=7)
                )
            )
            keep = (week / 168 * 6).quantize(Decimal("1"))
            if held > keep:
                services.stock_issue(
                    by=by,
                    place=low,
                    item=oxy,
                    quantity=held - keep,
                    occurred_at=now - timedelta(hours=1),
                    note="Ca bệnh nặng tăng",
                )
        services.stock_count(
            by=by,
            place=places[3],
            item=items["test-nhanh"],
            counted=services.balance_of(places[3], items["test-nhanh"]) - 20,
            note="Kiểm kê cuối tuần: 20 kit hỏng",
        )
    log(f"supplies: {len(places)} places, {StockEntry.objects.count()} ledger entries")
