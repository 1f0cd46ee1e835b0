"""Simplified unit outlines for the level map: a Douglas–Peucker pass over each ring at
import (a commune's surveyed outline carries thousands of positions; at the map's scale a
few dozen draw the same shape), and the map's layer of outlines held per process and
keyed by the shapes' version, so a page reads one small aggregate instead of every
geometry."""

import threading

from django.db.models import Count, Max

# About 55 m at Thanh Hóa's latitude: under a pixel at the zoom that shows a district.
TOLERANCE = 0.0005


def _distance2(p, a, b) -> float:
    """Squared distance from p to the segment a–b (planar: fine at a commune's size)."""
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    if dx == 0 and dy == 0:
        return (p[0] - ax) ** 2 + (p[1] - ay) ** 2
    t = max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)))
    return (p[0] - ax - t * dx) ** 2 + (p[1] - ay - t * dy) ** 2


def _keep(points, tolerance: float) -> list[bool]:
    """Douglas–Peucker over an open line (iterative: a long ring would overflow the stack)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    limit = tolerance * tolerance
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, at = -1.0, -1
        for i in range(first + 1, last):
            d = _distance2(points[i], points[first], points[last])
            if d > worst:
                worst, at = d, i
        if at >= 0 and worst > limit:
            keep[at] = True
            stack.append((first, at))
            stack.append((at, last))
    return keep


def simplify_ring(ring: list, tolerance: float = TOLERANCE) -> list:
    """A closed ring with fewer positions, still closed and still a ring (≥ 4 positions):
    split at the position farthest from the start, so both halves keep their ends."""
    if len(ring) <= 4:
        return ring
    start = ring[0]
    far = max(range(1, len(ring) - 1), key=lambda i: _distance2(ring[i], start, start))
    out = []
    for part in (ring[: far + 1], ring[far:]):
        kept = _keep(part, tolerance)
        chosen = [p for p, k in zip(part, kept, strict=True) if k]
        out.extend(chosen if not out else chosen[1:])
    if len(out) < 4:
        # A sliver smaller than the tolerance: keep the original outline's shape roughly by
        # its start, its farthest point and the points between them at the middle.
        mid1, mid2 = far // 2 or 1, far + (len(ring) - 1 - far) // 2
        picks = sorted({0, mid1, far, mid2})
        out = [ring[i] for i in picks] + [ring[0]]
    return out


def simplify_geometry(geometry: dict, tolerance: float = TOLERANCE) -> dict:
    """The Polygon or MultiPolygon with every ring simplified; no polygon or ring is dropped,
    so every unit keeps its outline (and its holes)."""
    if geometry["type"] == "Polygon":
        return {
            "type": "Polygon",
            "coordinates": [simplify_ring(r, tolerance) for r in geometry["coordinates"]],
        }
    return {
        "type": "MultiPolygon",
        "coordinates": [
            [simplify_ring(r, tolerance) for r in polygon] for polygon in geometry["coordinates"]
        ],
    }


def positions(geometry: dict) -> int:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return sum(len(ring) for polygon in polygons for ring in polygon)


_layer: dict = {"version": None, "outlines": {}}
_layer_lock = threading.Lock()


def outline_layer() -> dict[int, dict]:
    """{unit id: simplified geometry} of every imported outline. One aggregate query gives
    the shapes' version (count, newest row, last import); the outlines are read again only
    when it changed, in this process (an import elsewhere changes the version)."""
    from .models import UnitShape

    version = tuple(
        UnitShape.objects.aggregate(n=Count("pk"), top=Max("pk"), at=Max("imported_at")).values()
    )
    with _layer_lock:
        if _layer["version"] == version:
            return _layer["outlines"]
    outlines = {}
    for unit_id, simplified, geometry in UnitShape.objects.values_list(
        "unit_id", "simplified", "geometry"
    ):
        outlines[unit_id] = simplified or simplify_geometry(geometry)
    with _layer_lock:
        _layer.update(version=version, outlines=outlines)
    return outlines
