"""Unit outlines from a GeoJSON file: matched by code or name, checked feature by feature
with a numbered report, keep-good or refuse-whole-file, and drawn on the level map."""

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from phongdich.audit.models import AuditEvent
from phongdich.levels import selectors, services, shapes
from phongdich.levels.models import UnitShape
from phongdich.lib import imports
from phongdich.testing import make_user

pytestmark = pytest.mark.django_db

SQUARE = [[105.7, 19.8], [105.8, 19.8], [105.8, 19.9], [105.7, 19.9], [105.7, 19.8]]


def feature(props, coords=SQUARE, kind="Polygon"):
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": kind, "coordinates": [coords] if kind == "Polygon" else coords},
    }


def upload(features, name="ranh-gioi.geojson"):
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return imports.as_upload(name, body)


def run(staff, features, mode=imports.KEEP_GOOD, **kw):
    return shapes.import_shapes(
        by=staff.province_health_officer, upload=upload(features, **kw), mode=mode
    )


def test_features_are_matched_by_code_or_name_and_stored(world, staff):
    result = run(
        staff,
        [
            feature({"code": "14755"}),
            feature({"MA_XA": 14758.0}),  # a spreadsheet's number, upper-case key
            feature({"ten": "Bắc Sơn"}),  # by name, without "Phường"
            feature({"name": "Thành phố Thanh Hóa"}, [[SQUARE]], "MultiPolygon"),
        ],
    )
    assert result.errors.entries == []
    assert (result.recorded, result.errors.total, result.refused) == (4, 0, False)
    stored = {s.unit_id: s for s in UnitShape.objects.all()}
    assert set(stored) == {
        world.commune_a.pk,
        world.commune_a2.pk,
        world.commune_b.pk,
        world.district_a.pk,
    }
    assert stored[world.commune_a.pk].geometry == {"type": "Polygon", "coordinates": [SQUARE]}
    assert stored[world.district_a.pk].geometry["type"] == "MultiPolygon"
    event = AuditEvent.objects.get(action="levels.shapes_import")
    assert event.changes["recorded"] == 4 and "14755" in event.changes["units"]


@pytest.mark.parametrize(
    "feat, message",
    [
        (feature({"code": "99999"}), "mã 99999 không thuộc địa bàn"),
        (feature({"ten": "Phường Không Có"}), "không có đơn vị tên"),
        (feature({"foo": "bar"}), "không có mã đơn vị"),
        (feature({"code": "14755"}, [[580000, 2190000]] * 4), "ngoài Việt Nam"),  # VN-2000
        (feature({"code": "14755"}, SQUARE[:3]), "ít nhất 4 điểm"),
        (feature({"code": "14755"}, SQUARE[:4] + [[105.71, 19.8]]), "không khép kín"),
        (feature({"code": "14755"}, [["a", "b"]] * 4), "cặp số"),
        (
            {
                "type": "Feature",
                "properties": {"code": "14755"},
                "geometry": {"type": "Point", "coordinates": [105.7, 19.8]},
            },
            "Polygon hoặc MultiPolygon",
        ),
        ({"type": "Feature", "properties": {"code": "14755"}, "geometry": None}, "Polygon"),
        ("not a feature", "không phải một Feature"),
    ],
)
def test_each_bad_feature_is_reported_by_its_number_and_the_good_ones_kept(
    world, staff, feat, message
):
    result = run(staff, [feature({"code": "14758"}), feat])
    assert result.recorded == 1
    assert result.errors.entries[0]["line"] == 2
    assert message in " ".join(result.errors.entries[0]["errors"])


def test_a_second_feature_for_one_unit_is_reported(world, staff):
    result = run(staff, [feature({"code": "14755"}), feature({"ten": "Hàm Rồng"})])
    assert result.recorded == 1
    assert "trùng đơn vị với vùng số 1" in result.errors.entries[0]["errors"][0]


def test_a_name_shared_by_two_districts_needs_the_district(world, staff):
    from phongdich.geo.models import AdminUnit

    AdminUnit.objects.create(
        code="14810",
        name="Phường Hàm Rồng",
        kind="commune",
        parent=world.district_b,
        path=world.district_b.path + "14810/",
        population=1000,
    )
    result = run(staff, [feature({"ten": "Hàm Rồng"})])
    assert result.recorded == 0 and "trùng ở nhiều huyện" in result.errors.entries[0]["errors"][0]
    result = run(staff, [feature({"ten": "Hàm Rồng", "huyen": "Thị xã Bỉm Sơn"})])
    assert result.recorded == 1
    assert UnitShape.objects.get().unit.code == "14810"


def test_all_or_nothing_refuses_the_file_on_one_bad_feature(world, staff):
    result = run(
        staff, [feature({"code": "14755"}), feature({"code": "99999"})], imports.ALL_OR_NOTHING
    )
    assert result.refused and result.recorded == 0 and result.errors.total == 1
    assert not UnitShape.objects.exists()


@pytest.mark.parametrize(
    "body, name, message",
    [
        (b"{not json", "a.geojson", "không đọc được JSON"),
        (b'{"type": "Topology"}', "a.json", "FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "a.geojson", "không có vùng"),
        (b"{}", "a.csv", ".geojson"),
        ("{}".encode("utf-16"), "a.geojson", "không đọc được JSON"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(world, staff, body, name, message):
    result = shapes.import_shapes(
        by=staff.province_health_officer, upload=imports.as_upload(name, body)
    )
    assert result.refused and message in result.refusal


def test_the_size_cap(world, staff):
    big = upload([feature({"code": "14755"})])
    result = shapes.import_shapes(by=staff.province_health_officer, upload=big, max_bytes=10)
    assert result.refused and "quá lớn" in result.refusal


def test_a_reimport_replaces_the_outline(world, staff):
    run(staff, [feature({"code": "14755"})])
    moved = [[round(lon + 0.01, 5), lat] for lon, lat in SQUARE]
    run(staff, [feature({"code": "14755"}, moved)])
    assert UnitShape.objects.get().geometry["coordinates"] == [moved]


@pytest.mark.parametrize(
    "who", ["district_health_officer_a", "committee_member", "commune_worker_a"]
)
def test_only_the_provinces_health_department_imports(world, staff, who):
    with pytest.raises(PermissionDenied):
        shapes.import_shapes(by=getattr(staff, who), upload=upload([feature({"code": "14755"})]))


def test_the_map_draws_outlines_where_imported_and_points_elsewhere(world, staff):
    day = date(2021, 11, 20)
    services.levels_assess(by=None, day=day, province=world.province)
    run(staff, [feature({"code": "14755"})])
    points = {p["code"]: p for p in selectors.map_points(world.province, day, "commune")}
    assert points["14755"]["shape"]["type"] == "Polygon"
    assert all(p["shape"] is None for code, p in points.items() if code != "14755")


def test_the_upload_page_and_its_report(client, world, staff):
    client.force_login(staff.province_health_officer)
    assert client.get("/levels/shapes/").status_code == 200
    page = client.post(
        "/levels/shapes/",
        {
            "file": upload([feature({"code": "14755"}), feature({"code": "99999"})]),
            "mode": "keep_good",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Đã ghi ranh giới của 1 đơn vị (tệp có 2 vùng)" in html
    assert "mã 99999 không thuộc địa bàn" in html
    assert client.get("/levels/shapes/errors.xlsx").status_code == 200
    refused = client.post(
        "/levels/shapes/", {"file": imports.as_upload("a.geojson", b"{x"), "mode": "keep_good"}
    )
    assert refused.status_code == 400 and "Tệp bị từ chối" in refused.content.decode()
    client.force_login(staff.committee_member)
    assert client.get("/levels/shapes/").status_code == 403


def test_the_command(world, staff, tmp_path):
    path = tmp_path / "shapes.geojson"
    path.write_bytes(upload([feature({"code": "14755"}), feature({"code": "1"})]).read())
    call_command("import_shapes", str(path), "--user", "soyte")
    assert UnitShape.objects.count() == 1
    make_user("x.bcd", "committee_member", world.province)
    with pytest.raises(CommandError):
        call_command("import_shapes", str(path), "--user", "x.bcd")


def test_the_map_page_carries_the_points_as_a_json_list(client, world, staff):
    # json_script encodes the list once: the page's script reads a list, not a string.
    services.levels_assess(by=None, day=date(2021, 11, 20), province=world.province)
    client.force_login(staff.committee_member)
    page = client.get("/levels/map/?day=20/11/2021").content.decode()
    data = page.split('id="level-points" type="application/json">', 1)[1].split("</script>")[0]
    assert isinstance(json.loads(data), list)
