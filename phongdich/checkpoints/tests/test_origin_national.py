"""A traveller from another province's district listed as an epidemic area is flagged.

The geography is loaded as a deployment loads it (the home province down to its communes,
the rest of the country as provinces and districts), so the district exists with its real
name and GSO code."""

import pytest
from django.urls import reverse
from django.utils import timezone

from phongdich.accounts.models import Role
from phongdich.checkpoints import services
from phongdich.checkpoints.models import Declaration, EpidemicArea
from phongdich.geo.models import AdminUnit
from phongdich.geo.services import geography_load
from phongdich.testing import make_user


@pytest.fixture
def country(db, settings):
    settings.CHECKPOINTS_PROVINCE_CODE = "38"
    geography_load(dataset="2021", province="38")


def _declaration(origin, destination):
    return {
        "full_name": "Lê Văn Cường",
        "birth_year": "1979",
        "sex": "M",
        "nationality": "Việt Nam",
        "phone": "0987 111 222",
        "travel_mode": "car",
        "vehicle_number": "37A-12345",
        "arrival_date": timezone.localdate().strftime("%d/%m/%Y"),
        "origin": origin.pk,
        "destination_commune": destination.pk,
        "destination_address": "12 Lê Lợi",
        "vaccine_doses": "2",
    }


def test_the_origin_list_has_every_province_and_district_of_the_country(client, country):
    page = client.get(reverse("checkpoints:declare")).content.decode()
    assert page.count('<optgroup label="') >= 63 + 27  # origin provinces + destination districts
    assert "Thành phố Vinh, Tỉnh Nghệ An" in page
    assert "Quận Ba Đình, Thành phố Hà Nội" in page


@pytest.mark.parametrize(
    "area_code, origin_code, flagged",
    [
        ("412", "412", True),  # the listed district itself (Thành phố Vinh, Nghệ An)
        ("40", "412", True),  # a district of a listed province
        ("412", "413", False),  # a neighbouring district of the same province
        ("412", "40", False),  # "Nghệ An, district unknown": not inside the listed district
    ],
)
def test_origin_in_another_provinces_epidemic_area_is_flagged(
    client, country, area_code, origin_code, flagged
):
    area_unit = AdminUnit.objects.get(code=area_code)
    EpidemicArea.objects.create(unit=area_unit, level=4, valid_from=timezone.localdate())
    origin = AdminUnit.objects.get(code=origin_code)
    destination = AdminUnit.objects.get(code="14755")  # Phường Hàm Rồng, TP Thanh Hóa
    response = client.post(reverse("checkpoints:declare"), _declaration(origin, destination))
    assert response.status_code == 302, response.content.decode()[:2000]
    declaration = Declaration.objects.get()
    assert declaration.origin == origin
    level = services.assess(declaration).facts.area_level
    assert level == (4 if flagged else None)


def test_the_area_form_offers_other_provinces_districts(client, country):
    officer = make_user("soyte.tinh", Role.HEALTH_OFFICER, AdminUnit.objects.get(code="38"))
    client.force_login(officer)
    page = client.get(reverse("checkpoints:areas")).content.decode()
    assert "Thành phố Vinh, Tỉnh Nghệ An" in page
    assert "Ai cập nhật danh sách này" in page
    assert "Danh sách chưa được cập nhật lần nào." in page
    vinh = AdminUnit.objects.get(code="412")
    response = client.post(
        reverse("checkpoints:areas"),
        {
            "unit": vinh.pk,
            "level": "4",
            "valid_from": timezone.localdate().strftime("%d/%m/%Y"),
            "note": "Tỉnh Nghệ An công bố cấp độ 4",
        },
    )
    assert response.status_code == 302
    assert EpidemicArea.objects.get().unit == vinh
    page = client.get(reverse("checkpoints:areas")).content.decode()
    assert "Thành phố Vinh, Tỉnh Nghệ An" in page
    assert "Lần cập nhật gần nhất:" in page
