import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phongdich.geo.models import AdminUnit
from phongdich.geo.services import (
    POPULATION_MAX_BYTES,
    geography_load,
    population_import,
    units_file,
)
from phongdich.lib.imports import FileRefused, as_upload
from phongdich.lib.tests.builders import UnreadableUpload
from phongdich.lib.xlsx import build_workbook


def _rows(dataset):
    with units_file(dataset).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    "dataset, provinces, districts, communes",
    [
        ("2021", 63, 705, 10603),
        ("2025", 34, 0, 3321),
    ],
)
def test_the_shipped_datasets_have_the_official_counts(dataset, provinces, districts, communes):
    kinds = [r["kind"] for r in _rows(dataset)]
    assert (kinds.count("province"), kinds.count("district"), kinds.count("commune")) == (
        provinces,
        districts,
        communes,
    )


def test_thanh_hoa_2021_has_its_27_districts():
    districts = [r for r in _rows("2021") if r["kind"] == "district" and r["parent_code"] == "38"]
    assert len(districts) == 27
    assert {r["division"] for r in districts} == {"thanh_pho", "thi_xa", "huyen"}


@pytest.mark.django_db
def test_loading_a_province_is_idempotent():
    first = geography_load(dataset="2021", province="38", outline=False)
    assert first.created == 1 + 27 + 559
    second = geography_load(dataset="2021", province="38", outline=False)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 587)
    commune = AdminUnit.objects.get(code="14755")
    assert commune.path == "/38/380/14755/"
    assert commune.parent.code == "380" and commune.parent.parent.code == "38"
    assert commune.division == "phuong"


@pytest.mark.django_db
def test_the_home_province_comes_with_the_national_outline():
    """Every province and district of the country exists (a traveller's origin), with the
    communes of the home province only."""
    first = geography_load(dataset="2021", province="38")
    assert first.created == 63 + 705 + 559
    assert AdminUnit.objects.filter(kind="province").count() == 63
    assert AdminUnit.objects.filter(kind="district").count() == 705
    communes = AdminUnit.objects.filter(kind="commune")
    assert communes.count() == communes.filter(path__startswith="/38/").count() == 559
    ba_dinh = AdminUnit.objects.get(code="001")
    assert (ba_dinh.name, ba_dinh.parent.code, ba_dinh.path) == ("Quận Ba Đình", "01", "/01/001/")
    again = geography_load(dataset="2021", province="38")
    assert (again.created, again.updated) == (0, 0)


@pytest.mark.django_db
def test_the_2025_structure_has_communes_directly_under_provinces():
    geography_load(dataset="2025", province="38")
    province = AdminUnit.objects.get(code="38")
    assert not AdminUnit.objects.filter(kind="district").exists()
    assert province.children.filter(kind="commune").count() == 166


def test_population_import_reports_bad_rows_and_keeps_good_ones(world, staff):
    content = b'code,population\n14755,12345\n99999,10\n14758,abc\n14809,"9.876"\n'
    result = population_import(by=staff.province_admin, upload=as_upload("dan-so.csv", content))
    assert result.updated == 2
    assert [e["line"] for e in result.errors.entries] == [3, 4]
    world.commune_a.refresh_from_db()
    assert world.commune_a.population == 12345
    assert not world.commune_a.population_synthetic


def test_population_import_all_or_nothing_refuses_the_file(world, staff):
    content = b"14755,500\n14758,x\n"
    result = population_import(
        by=staff.province_admin, upload=as_upload("p.csv", content), all_or_nothing=True
    )
    assert result.refused and result.updated == 0
    assert result.errors.entries == [
        {"line": 2, "errors": ["Dân số: không phải số nguyên không âm (“x”)"]}
    ]
    world.commune_a.refresh_from_db()
    assert world.commune_a.population == 12_000


def test_population_import_reads_xlsx(world, staff):
    content = build_workbook("dan so", ["Mã", "Dân số"], [["14755", 777], [14809, 888.0]])
    result = population_import(by=staff.province_admin, upload=as_upload("p.xlsx", content))
    assert not result.errors and result.updated == 2
    world.commune_b.refresh_from_db()
    assert world.commune_b.population == 888


def test_population_import_refuses_a_file_over_the_size_cap_without_reading_it(world, staff):
    with pytest.raises(FileRefused) as refused:
        population_import(
            by=staff.province_admin,
            upload=UnreadableUpload("p.csv", POPULATION_MAX_BYTES + 1),
        )
    assert "tối đa 5 MB" in refused.value.messages[0]


def test_population_import_page_refuses_an_over_long_code_by_line(client, world, staff):
    client.force_login(staff.province_admin)
    content = b"14755,500\n" + b"1" * 11 + b",7\n"
    response = client.post(
        "/units/population/",
        {"file": SimpleUploadedFile("p.csv", content), "mode": "all"},
    )
    assert response.status_code == 200
    world.commune_a.refresh_from_db()
    assert world.commune_a.population == 12_000
    assert "Mã đơn vị: dài 11 ký tự, tối đa 10" in response.content.decode()


def test_units_page_is_scoped_to_the_jurisdiction(client, staff, world):
    client.force_login(staff.commune_worker_b)
    assert client.get("/units/").status_code == 200
    assert client.get(f"/units/u/{world.district_a.code}/").status_code == 404
    client.force_login(staff.district_health_officer_a)
    page = client.get("/units/").content.decode()
    assert "Phường Hàm Rồng" in page and "Phường Bắc Sơn" not in page
