"""The public page of zones in force: no login, no personal data, place with district."""

from phongdich.zones import services
from phongdich.zones.models import Zone

from .builders import proposed_zone, zone_in_force


def test_citizens_see_the_zones_in_force_without_personal_data(client, world, staff):
    street = zone_in_force(world, staff, name="Khu phố 3 Bắc Sơn", address="Ngõ 12 phố Trần Phú")
    services.household_add(
        by=staff.province_admin, zone=street, address="Số 7 ngõ 12", head_name="Phạm Văn Hộ"
    )
    building = zone_in_force(world, staff, name="Nhà ông Lê Văn Riêng", kind=Zone.Kind.BUILDING)
    proposed_zone(world, staff, name="Thôn Đề Xuất")
    response = client.get("/zones/public/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Khu phố 3 Bắc Sơn" in page and "123/QĐ-UBND" in page and "01/08/2021" in page
    assert str(world.commune_b.label()) in page  # the commune with its district
    assert "Nhà ông Lê Văn Riêng" not in page and building.get_kind_display() in page
    for private in ("Ngõ 12 phố Trần Phú", "Số 7 ngõ 12", "Phạm Văn Hộ", "Thôn Đề Xuất"):
        assert private not in page


def test_the_login_page_links_to_it(client, db):
    assert "/zones/public/" in client.get("/login/").content.decode()
