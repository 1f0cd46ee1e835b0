"""The map draws simplified outlines: simplified once at import (Douglas–Peucker, no
polygon, ring or unit dropped), held per process by shapes version, with the map page's
query count pinned."""

import json
import math
from datetime import date

import pytest

from phongdich.levels import selectors, services, shapes, simplify
from phongdich.levels.models import UnitShape
from phongdich.lib import imports

pytestmark = pytest.mark.django_db

DAY = date(2021, 11, 20)


def circle(lon, lat, r, n):
    ring = [
        [
            round(lon + r * math.cos(2 * math.pi * i / n), 5),
            round(lat + r * math.sin(2 * math.pi * i / n), 5),
        ]
        for i in range(n)
    ]
    return ring + [ring[0]]


SQUARE = [[105.7, 19.8], [105.8, 19.8], [105.8, 19.9], [105.7, 19.9], [105.7, 19.8]]
# A notch 20 m deep (under the 55 m tolerance) and one 1.1 km deep in the square's top.
SHALLOW = SQUARE[:3] + [[105.75, 19.8998], *SQUARE[3:]]
DEEP = SQUARE[:3] + [[105.75, 19.89], *SQUARE[3:]]
SLIVER = [[105.7, 19.8], [105.70001, 19.8], [105.70001, 19.80001], [105.7, 19.80001], [105.7, 19.8]]


def _segment_distance(p, a, b):
    return math.sqrt(simplify._distance2(p, a, b))


def _within(original, simplified, tolerance):
    """Every original position lies within `tolerance` of the simplified ring."""
    segments = list(zip(simplified, simplified[1:], strict=False))
    return all(
        min(_segment_distance(p, a, b) for a, b in segments) <= tolerance + 1e-9 for p in original
    )


@pytest.mark.parametrize(
    "ring, most, least",
    [
        (SQUARE, 5, 5),  # corners only: nothing to take away
        (SHALLOW, 5, 5),  # a notch under the tolerance goes
        (DEEP, 6, 6),  # one above it stays
        (circle(105.7, 19.8, 0.02, 200), 24, 8),  # a commune-sized circle of 201 positions
        (circle(105.7, 19.8, 0.08, 2000), 48, 16),  # a district-sized one of 2,001
        (SLIVER, 5, 4),  # smaller than the tolerance: still a closed ring
    ],
)
def test_a_ring_keeps_its_shape_within_the_tolerance_with_fewer_positions(ring, most, least):
    out = simplify.simplify_ring(ring)
    assert least <= len(out) <= most
    assert out[0] == out[-1] == ring[0]  # closed, same start
    assert all(p in ring for p in out)  # positions are the original ones
    if len(ring) > 5:
        assert _within(ring, out, simplify.TOLERANCE)


def test_no_polygon_or_hole_is_dropped():
    hole = circle(105.75, 19.85, 0.01, 100)
    tiny = [SLIVER]
    geometry = {"type": "MultiPolygon", "coordinates": [[SQUARE, hole], tiny]}
    out = simplify.simplify_geometry(geometry)
    assert out["type"] == "MultiPolygon"
    assert [len(p) for p in out["coordinates"]] == [2, 1]
    assert all(len(r) >= 4 and r[0] == r[-1] for p in out["coordinates"] for r in p)
    assert simplify.positions(out) < simplify.positions(geometry)


def _upload(features):
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return imports.as_upload("ranh-gioi.geojson", body)


def _import(staff, world, n=2000):
    units = (world.commune_a, world.commune_a2, world.commune_b, world.district_a)
    features = [
        {
            "type": "Feature",
            "properties": {"code": u.code},
            "geometry": {"type": "Polygon", "coordinates": [circle(105.7 + i / 10, 19.8, 0.02, n)]},
        }
        for i, u in enumerate(units)
    ]
    result = shapes.import_shapes(by=staff.province_health_officer, upload=_upload(features))
    assert result.recorded == len(units)
    return units


def test_the_import_stores_every_feature_simplified_under_its_unit(world, staff):
    units = _import(staff, world)
    stored = {s.unit.code: s for s in UnitShape.objects.select_related("unit")}
    assert set(stored) == {u.code for u in units}
    for shape in stored.values():
        assert shape.points == 2001
        assert shape.simplified["type"] == "Polygon"
        assert len(shape.simplified["coordinates"]) == 1
        assert 8 <= shape.simplified_points == simplify.positions(shape.simplified) < 40
    services.levels_assess(by=None, day=DAY, province=world.province)
    drawn = {p["code"]: p for p in selectors.map_points(world.province, DAY, "commune")}
    for unit in units[:3]:
        assert drawn[unit.code]["shape"] == stored[unit.code].simplified


def test_the_map_page_reads_a_version_then_the_held_outlines(
    client, world, staff, django_assert_num_queries
):
    _import(staff, world)
    services.levels_assess(by=None, day=DAY, province=world.province)
    client.force_login(staff.committee_member)
    client.get("/levels/map/?day=20/11/2021")  # fills this process's outline layer
    # Pinned: the same count as the page without outlines (the outlines' read is replaced
    # by the one aggregate of the shapes' version); no read of the geometries.
    with django_assert_num_queries(7):
        page = client.get("/levels/map/?day=20/11/2021")
    assert page.status_code == 200
    data = page.content.decode().split('id="level-points" type="application/json">', 1)[1]
    points = {p["code"]: p for p in json.loads(data.split("</script>")[0])}
    assert len(points[world.commune_a.code]["shape"]["coordinates"][0]) < 40  # not 2,001
    # A re-import changes the version: the next page draws the new outline.
    moved = [[105.9, 19.8], [106.0, 19.8], [106.0, 19.9], [105.9, 19.9], [105.9, 19.8]]
    shapes.import_shapes(
        by=staff.province_health_officer,
        upload=_upload(
            [
                {
                    "type": "Feature",
                    "properties": {"code": world.commune_a.code},
                    "geometry": {"type": "Polygon", "coordinates": [moved]},
                }
            ]
        ),
    )
    data = client.get("/levels/map/?day=20/11/2021").content.decode()
    data = data.split('id="level-points" type="application/json">', 1)[1].split("</script>")[0]
    points = {p["code"]: p for p in json.loads(data)}
    assert points[world.commune_a.code]["shape"]["coordinates"] == [moved]
