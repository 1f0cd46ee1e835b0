"""The supplies pages: who reads and writes which place, and what the board shows."""

import re
from datetime import timedelta

from django.utils import timezone

from phongdich.facilities.tests.builders import officer_of, site
from phongdich.supplies import services
from phongdich.supplies.models import Place, StockEntry
from phongdich.supplies.services import balance_of

from .builders import item, station, warehouse


def _balance_cell(html, code):
    row = html.split(f'data-item="{code}"')[1].split("</tr>")[0]
    return re.search(r'class="num balance"[^>]*>([^<]+)<', row).group(1).strip()


def test_a_commune_worker_records_a_receipt_and_an_issue_once_each(client, world, staff):
    tram = station(world.commune_a)
    kit = item("test-nhanh")
    client.force_login(staff.commune_worker_a)
    form = {"kind": "receipt", "item": kit.pk, "quantity": "500", "submission_key": "a" * 32}
    for _click in range(2):
        assert client.post(f"/supplies/places/{tram.pk}/movement/", form).status_code == 302
    client.post(
        f"/supplies/places/{tram.pk}/movement/",
        {"kind": "issue", "item": kit.pk, "quantity": "120,5", "submission_key": "b" * 32},
    )
    assert balance_of(tram, kit) == 379.5
    page = client.get(f"/supplies/places/{tram.pk}/").content.decode()
    assert _balance_cell(page, "test-nhanh").startswith("379,5")


def test_an_issue_past_the_balance_is_a_clear_form_error(client, world, staff):
    tram = station(world.commune_a)
    client.force_login(staff.commune_worker_a)
    page = client.post(
        f"/supplies/places/{tram.pk}/movement/",
        {"kind": "issue", "item": item().pk, "quantity": "5"},
    )
    assert page.status_code == 200
    assert "chỉ còn 0 kg Oxy lỏng" in page.content.decode()
    assert not StockEntry.objects.exists()


def test_a_count_and_a_transfer_through_the_pages(client, world, staff):
    kho, tram = warehouse(world.district_a), station(world.commune_a)
    kit = item("test-nhanh")
    services.stock_receive(by=staff.province_admin, place=kho, item=kit, quantity=1000)
    client.force_login(staff.district_health_officer_a)
    assert (
        client.post(
            f"/supplies/places/{kho.pk}/transfer/",
            {"item": kit.pk, "destination": tram.pk, "quantity": "200"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/supplies/places/{kho.pk}/movement/",
            {"kind": "count", "item": kit.pk, "quantity": "790"},
        ).status_code
        == 302
    )
    assert (balance_of(kho, kit), balance_of(tram, kit)) == (790, 200)


def test_a_correction_through_the_page_keeps_the_wrong_entry(client, world, staff):
    kho = warehouse(world.district_a)
    wrong = services.stock_receive(by=staff.province_admin, place=kho, item=item(), quantity=5000)
    client.force_login(staff.district_health_officer_a)
    assert client.get(f"/supplies/places/{kho.pk}/entries/{wrong.pk}/correct/").status_code == 200
    page = client.post(
        f"/supplies/places/{kho.pk}/entries/{wrong.pk}/correct/",
        {"right_quantity": "500", "note": ""},
    )
    assert page.status_code == 200  # the reason is required
    client.post(
        f"/supplies/places/{kho.pk}/entries/{wrong.pk}/correct/",
        {"right_quantity": "500", "note": "Thừa một số 0"},
    )
    assert balance_of(kho, item()) == 500 and StockEntry.objects.count() == 2


def test_places_outside_the_jurisdiction_answer_404(client, world, staff):
    other = station(world.commune_b)
    client.force_login(staff.district_health_officer_a)
    assert client.get(f"/supplies/places/{other.pk}/").status_code == 404
    assert (
        client.post(
            f"/supplies/places/{other.pk}/movement/",
            {"kind": "receipt", "item": item().pk, "quantity": "5"},
        ).status_code
        == 404
    )
    assert not StockEntry.objects.exists()


def test_the_committee_reads_the_board_but_writes_nothing(client, world, staff):
    kho = warehouse(world.district_a)
    client.force_login(staff.committee_member)
    assert client.get("/supplies/").status_code == 200
    assert client.get(f"/supplies/places/{kho.pk}/").status_code == 200
    assert (
        client.post(
            f"/supplies/places/{kho.pk}/movement/",
            {"kind": "receipt", "item": item().pk, "quantity": "5"},
        ).status_code
        == 403
    )


def test_the_board_lists_alerts_first(client, world, staff):
    now = timezone.now()
    low, full = station(world.commune_a), warehouse(world.district_b)
    oxy = item("oxy-long")
    for place, stock in ((low, 170), (full, 1000)):
        services.stock_receive(
            by=staff.province_admin,
            place=place,
            item=oxy,
            quantity=stock,
            occurred_at=now - timedelta(days=8),
        )
        services.stock_issue(
            by=staff.province_admin,
            place=place,
            item=oxy,
            quantity=168,
            occurred_at=now - timedelta(days=1),
        )
    client.force_login(staff.province_health_officer)
    page = client.get("/supplies/").content.decode()
    alerts = page.split('id="alerts"')[1].split("</div>")[0]
    assert low.name in alerts and full.name not in alerts
    district = client.get("/supplies/", {"unit": world.district_b.code}).content.decode()
    assert 'id="alerts"' not in district


def test_a_facility_officer_keeps_the_stock_of_their_facility_only(client, world, staff):
    own = site(world, name="BV Đa khoa Thành phố", kind="tier2", beds_total=5)
    officer = officer_of(own)
    place = services.place_for_facility(by=staff.province_admin, facility=own)
    other = warehouse(world.district_a)
    client.force_login(officer)
    assert client.get("/supplies/")["Location"] == f"/supplies/places/{place.pk}/"
    assert (
        client.post(
            f"/supplies/places/{place.pk}/movement/",
            {"kind": "receipt", "item": item().pk, "quantity": "300"},
        ).status_code
        == 302
    )
    assert client.get(f"/supplies/places/{other.pk}/").status_code == 404
    assert Place.objects.get(facility=own) == place
    assert balance_of(place, item()) == 300


def test_the_board_reads_a_fixed_number_of_queries(client, world, staff, django_assert_num_queries):
    client.force_login(staff.province_health_officer)
    for size in (1, 5):
        for n in range(size):
            place = (
                station(world.commune_a)
                if n % 2
                else warehouse(world.district_a, name=f"Kho {size}-{n}")
            )
            services.stock_receive(by=staff.province_admin, place=place, item=item(), quantity=10)
            services.stock_issue(by=staff.province_admin, place=place, item=item(), quantity=1)
        # session, user, unit, districts, places, balances, issues, corrections of issues,
        # thresholds, items
        with django_assert_num_queries(10):
            client.get("/supplies/")


def test_a_facility_officer_starts_the_ledger_of_their_facility(client, world, staff):
    own = site(world, name="Khu cách ly Hàm Rồng")
    client.force_login(officer_of(own))
    response = client.get("/supplies/")
    place = Place.objects.get(facility=own)
    assert response["Location"] == f"/supplies/places/{place.pk}/"
    assert place.unit == own.unit and place.kind == "facility"
    client.get("/supplies/")
    assert Place.objects.filter(facility=own).count() == 1


def test_the_province_board_sums_each_district_and_the_district_board_lists_its_places(
    client, world, staff
):
    """A province holds ~600 stock places: its board shows one line per district and item
    (stock and use summed, places in alert counted), and each district's board its places."""
    now = timezone.now()
    oxy = item("oxy-long")
    low, kho_a, kho_b = (
        station(world.commune_a),
        warehouse(world.district_a),
        warehouse(world.district_b),
    )
    for place, stock, used in ((low, 170, 168), (kho_a, 1000, 0), (kho_b, 300, 84)):
        services.stock_receive(
            by=staff.province_admin,
            place=place,
            item=oxy,
            quantity=stock,
            occurred_at=now - timedelta(days=8),
        )
        if used:
            services.stock_issue(
                by=staff.province_admin,
                place=place,
                item=oxy,
                quantity=used,
                occurred_at=now - timedelta(days=1),
            )
    client.force_login(staff.province_health_officer)
    page = client.get("/supplies/").content.decode()
    areas = page.split('id="areas"')[1].split("</table>")[0]
    row_a = areas.split(f'data-area="{world.district_a.code}"')[1].split("</tr>")[0]
    # district A: 2 + 1000 kg left, 168 kg used in 7 days = 24 kg a day; one place of two alerts
    assert re.search(r'class="num balance"[^>]*>1002', row_a)
    assert ">24<" in row_a and "1/2" in row_a
    row_b = areas.split(f'data-area="{world.district_b.code}"')[1].split("</tr>")[0]
    assert "0/1" in row_b
    assert f'data-place="{low.pk}"' not in page  # no per-station row on the province board
    assert low.name in page.split('id="alerts"')[1].split("</div>")[0]
    district = client.get("/supplies/", {"unit": world.district_a.code}).content.decode()
    assert f'data-place="{low.pk}"' in district and f'data-place="{kho_a.pk}"' in district
    assert 'id="areas"' not in district


def test_the_alert_box_names_fifty_places_and_counts_the_rest(client, world, staff, monkeypatch):
    from phongdich.supplies import views

    monkeypatch.setattr(views, "ALERTS_SHOWN", 2)
    kit = item("test-nhanh")
    for n in range(3):
        place = warehouse(world.district_a, name=f"Kho trống {n}")
        services.stock_receive(by=staff.province_admin, place=place, item=kit, quantity=1)
        services.stock_issue(by=staff.province_admin, place=place, item=kit, quantity=1)
    client.force_login(staff.province_health_officer)
    box = client.get("/supplies/").content.decode().split('id="alerts"')[1].split("</div>")[0]
    assert box.count("<li>") == 2 and "3" in box.split("</strong>")[0]
    assert "… và 1 nơi khác" in box
