"""A request's fulfilment racing a stock movement at the same place (threads on PostgreSQL)."""

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from phongdich.supplies import services
from phongdich.supplies.models import StockEntry
from phongdich.supplies.services import balance_of
from phongdich.testing import make_staff, make_world

from .builders import item, station, warehouse


@pytest.mark.django_db(transaction=True)
def test_a_fulfilment_and_a_receipt_at_the_same_place_both_go_through(monkeypatch):
    """A fulfilment locks its request's row, then the (place, item) key locks of its
    transfer. It used to lock the joined place and item rows FOR UPDATE as well, which every
    entry's foreign keys need in key-share mode: a receipt holding the key lock of the same
    place and item then waited for the fulfilment while the fulfilment waited for its key
    lock (PostgreSQL: "deadlock detected"), and any movement of the item elsewhere waited."""
    if connection.vendor != "postgresql":
        pytest.skip("row and key locks racing: PostgreSQL")
    world = make_world()
    staff = make_staff(world)
    kho, tram, kit = warehouse(world.district_a), station(world.commune_a), item("test-nhanh")
    services.stock_receive(by=staff.province_admin, place=kho, item=kit, quantity=5000)
    request = services.supply_request_create(
        by=staff.commune_worker_a,
        place=tram,
        item=kit,
        quantity=100,
        needed_by=date(2026, 12, 10),
        reason="Ổ dịch chợ",
    )
    request = services.supply_request_decide(
        by=staff.district_health_officer_a, request=request, approve=True
    )
    locked, go_on = threading.Event(), threading.Event()
    original = services._append

    def slow_receipt_append(**kwargs):
        if kwargs["kind"] == StockEntry.Kind.RECEIPT:
            locked.set()  # the receipt holds the station's (place, item) key lock now
            go_on.wait(timeout=20)
        return original(**kwargs)

    monkeypatch.setattr(services, "_append", slow_receipt_append)
    errors = []

    def run(action):
        try:
            action()
        except Exception as exc:  # a deadlock victim: the test reports it below
            errors.append(exc)
        finally:
            connections.close_all()

    receipt = threading.Thread(
        target=run,
        args=(
            lambda: services.stock_receive(
                by=staff.province_admin, place=tram, item=kit, quantity=7
            ),
        ),
    )
    fulfil = threading.Thread(
        target=run,
        args=(
            lambda: services.supply_request_fulfil(
                by=staff.district_health_officer_a, request=request, source=kho, quantity=100
            ),
        ),
    )
    receipt.start()
    assert locked.wait(timeout=20)
    fulfil.start()
    time.sleep(1.5)  # the fulfilment has taken its row locks and waits for the key lock
    go_on.set()
    receipt.join(timeout=30)
    fulfil.join(timeout=30)
    assert not errors, errors
    assert balance_of(tram, kit) == Decimal(107)
