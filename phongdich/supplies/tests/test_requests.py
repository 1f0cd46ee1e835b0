"""Requests from stations and facilities: approved (perhaps for less), refused, fulfilled in
part or in full by the transfers they caused."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from phongdich.supplies import services
from phongdich.supplies.models import StockEntry, SupplyRequest
from phongdich.supplies.services import balance_of

from .builders import item, station, warehouse

NEEDED_BY = date(2026, 12, 10)


def _ask(world, staff, quantity=1000):
    return services.supply_request_create(
        by=staff.commune_worker_a,
        place=station(world.commune_a),
        item=item("test-nhanh"),
        quantity=quantity,
        needed_by=NEEDED_BY,
        reason="Ổ dịch chợ Hàm Rồng, test diện rộng",
    )


def test_a_station_asks_a_district_approves_less_and_fulfils_in_two_parts(client, world, staff):
    kho = warehouse(world.district_a)
    kit = item("test-nhanh")
    services.stock_receive(by=staff.province_admin, place=kho, item=kit, quantity=5000)
    client.force_login(staff.commune_worker_a)
    tram = station(world.commune_a)
    response = client.post(
        f"/supplies/places/{tram.pk}/request/",
        {
            "item": kit.pk,
            "quantity": "1000",
            "needed_by": "10/12/2026",
            "reason": "Ổ dịch chợ",
            "submission_key": "r" * 32,
        },
    )
    request = SupplyRequest.objects.get()
    assert response["Location"] == f"/supplies/requests/{request.pk}/"
    assert (
        client.post(f"/supplies/requests/{request.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )

    client.force_login(staff.district_health_officer_a)
    client.post(
        f"/supplies/requests/{request.pk}/decide/", {"decision": "approve", "quantity": "800"}
    )
    request.refresh_from_db()
    assert (request.status, request.approved_quantity) == ("approved", 800)
    client.post(f"/supplies/requests/{request.pk}/fulfil/", {"source": kho.pk, "quantity": "500"})
    request.refresh_from_db()
    assert request.status == "partly" and services.fulfilled_quantity(request) == 500
    page = client.post(
        f"/supplies/requests/{request.pk}/fulfil/", {"source": kho.pk, "quantity": "301"}
    )
    assert "Chỉ còn phải cấp 300." in page.content.decode()
    client.post(f"/supplies/requests/{request.pk}/fulfil/", {"source": kho.pk, "quantity": "300"})
    request.refresh_from_db()
    assert request.status == "fulfilled"
    assert (balance_of(kho, kit), balance_of(tram, kit)) == (4200, 800)
    assert StockEntry.objects.filter(request=request).count() == 4  # two transfers, both sides


def test_a_request_is_decided_once(world, staff):
    request = _ask(world, staff)
    services.supply_request_decide(
        by=staff.district_health_officer_a, request=request, approve=False, note="Đã cấp tuần trước"
    )
    with pytest.raises(ValidationError, match="đã được xử lý"):
        services.supply_request_decide(
            by=staff.district_health_officer_a, request=request, approve=True
        )
    with pytest.raises(ValidationError, match="đã duyệt"):
        services.supply_request_fulfil(
            by=staff.district_health_officer_a,
            request=request,
            source=warehouse(world.district_a),
            quantity=1,
        )


@pytest.mark.parametrize(
    ("approved", "refused"), [(Decimal("1000"), False), (Decimal("1000.01"), True)]
)
def test_approval_cannot_exceed_the_request(world, staff, approved, refused):
    request = _ask(world, staff)
    call = lambda: services.supply_request_decide(  # noqa: E731
        by=staff.district_health_officer_a, request=request, approve=True, quantity=approved
    )
    if refused:
        with pytest.raises(ValidationError, match="Không duyệt nhiều hơn"):
            call()
    else:
        assert call().status == "approved"


def test_a_refusal_needs_a_reason_and_a_request_needs_one_too(world, staff):
    request = _ask(world, staff)
    with pytest.raises(ValidationError):
        services.supply_request_decide(
            by=staff.district_health_officer_a, request=request, approve=False
        )
    with pytest.raises(ValidationError):
        services.supply_request_create(
            by=staff.commune_worker_a,
            place=request.place,
            item=request.item,
            quantity=1,
            needed_by=NEEDED_BY,
            reason="  ",
        )


def test_requests_are_seen_within_the_jurisdiction(client, world, staff):
    own = _ask(world, staff)
    other = services.supply_request_create(
        by=staff.commune_worker_b,
        place=station(world.commune_b),
        item=item(),
        quantity=5,
        needed_by=NEEDED_BY,
        reason="Bình oxy",
    )
    client.force_login(staff.district_health_officer_a)
    listed = client.get("/supplies/requests/").content.decode()
    assert (
        f"/supplies/requests/{own.pk}/" in listed
        and f"/supplies/requests/{other.pk}/" not in listed
    )
    assert client.get(f"/supplies/requests/{other.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_one_request_at_once_make_one_decision():
    from phongdich.testing import losers, make_staff, make_world, race, winners

    world = make_world()
    staff = make_staff(world)
    request = _ask(world, staff)
    officers = [staff.district_health_officer_a, staff.province_health_officer]
    outcomes = race(
        [
            lambda by=by: services.supply_request_decide(by=by, request=request, approve=True)
            for by in officers
        ]
    )
    assert len(winners(outcomes)) == 1
    assert [type(e) for e in losers(outcomes)] == [ValidationError], losers(outcomes)
    request.refresh_from_db()
    assert request.status == SupplyRequest.Status.APPROVED
