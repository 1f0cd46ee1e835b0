"""Importing the province's unit outlines (GeoJSON) for the level map.

The file is checked feature by feature: each is matched to one of our units (by its GSO
code, else by its name, with the district's name when two communes share one), and its
geometry must be a Polygon or MultiPolygon in WGS84 longitude/latitude inside Viet Nam.
Problems go into the same line-numbered report as every import (lib/imports: the "line"
is the feature's number in the file), and the same choice applies: keep the good features,
or refuse the whole file on any bad one. Re-importing replaces a unit's outline."""

import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import units_within
from phongdich.lib import imports
from phongdich.lib.text import fold

from .models import UnitShape
from .simplify import positions, simplify_geometry

MAX_BYTES = 30 * 1024 * 1024  # the page's cap; the command reads any size
MAX_FEATURES = 5_000
MAX_POINTS_PER_FEATURE = 50_000
# Viet Nam with its islands, with a margin: a projected (VN-2000, metres) file falls far
# outside and is refused with a message that says so.
LON_RANGE = (101.0, 118.0)
LAT_RANGE = (6.0, 24.5)
CODE_KEYS = ("code", "ma", "ma_dv", "ma_xa", "ma_huyen", "gso", "gso_code", "id", "maxa")
NAME_KEYS = ("name", "ten", "ten_dv", "ten_xa", "ten_huyen", "tenxa")
DISTRICT_KEYS = ("district", "huyen", "ten_huyen", "district_name")
PREFIXES = ("thi tran ", "thi xa ", "thanh pho ", "phuong ", "xa ", "huyen ", "quan ", "tinh ")
IMPORT_ROLES = (Role.HEALTH_OFFICER, Role.PROVINCE_ADMIN)


@dataclass
class ShapeImport(imports.ImportOutcome):
    recorded: int = 0
    features: int = 0


def check_may_import(user) -> None:
    unit = getattr(user, "jurisdiction", None)
    if user.role not in IMPORT_ROLES or unit is None or unit.kind != AdminUnit.Kind.PROVINCE:
        raise PermissionDenied


def _bare(name: str) -> str:
    folded = " ".join(fold(name or "").split())
    for prefix in PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def _prop(props: dict, keys) -> str:
    lowered = {str(k).lower(): v for k, v in props.items()}
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return str(value).strip()[:200]
    return ""


class _Units:
    """Our units by code and by bare name (one query)."""

    def __init__(self, root: AdminUnit):
        units = list(units_within(root).select_related("parent"))
        self.by_code = {u.code: u for u in units}
        self.by_name: dict[str, list[AdminUnit]] = {}
        self.by_full: dict[str, list[AdminUnit]] = {}  # with its prefix: "thanh pho thanh hoa"
        for u in units:
            self.by_name.setdefault(_bare(u.name), []).append(u)
            self.by_full.setdefault(" ".join(fold(u.name).split()), []).append(u)

    def match(self, props: dict) -> tuple[AdminUnit | None, str | None]:
        code = _prop(props, CODE_KEYS)
        if code:
            digits = code.split(".")[0]  # a spreadsheet's 1234.0
            for candidate in (digits, digits.zfill(5), digits.zfill(3), digits.zfill(2)):
                if candidate in self.by_code:
                    return self.by_code[candidate], None
            return None, _("mã %(code)s không thuộc địa bàn") % {"code": code[:20]}
        name = _prop(props, NAME_KEYS)
        if not name:
            return None, _("không có mã đơn vị (code, ma_xa…) hay tên (name, ten…)")
        found = self.by_full.get(" ".join(fold(name).split()), [])
        if len(found) != 1:
            found = self.by_name.get(_bare(name), [])
        district = _bare(_prop(props, DISTRICT_KEYS))
        if len(found) > 1 and district:
            found = [u for u in found if u.parent and _bare(u.parent.name) == district]
        if len(found) == 1:
            return found[0], None
        if not found:
            return None, _("không có đơn vị tên «%(name)s» trong địa bàn") % {"name": name[:80]}
        return None, _(
            "tên «%(name)s» trùng ở nhiều huyện (%(places)s): ghi mã đơn vị hoặc tên huyện"
        ) % {
            "name": name[:80],
            "places": ", ".join(u.parent.name if u.parent else u.name for u in found[:4]),
        }


def _ring(ring, errors: list) -> list | None:
    if not isinstance(ring, list) or len(ring) < 4:
        errors.append(_("vòng ranh giới cần ít nhất 4 điểm"))
        return None
    out = []
    for pos in ring:
        if (
            not isinstance(pos, list)
            or len(pos) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos[:2])
        ):
            errors.append(_("toạ độ không phải cặp số [kinh độ, vĩ độ]"))
            return None
        lon, lat = float(pos[0]), float(pos[1])
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            errors.append(
                _(
                    "toạ độ [%(lon)s, %(lat)s] ngoài Việt Nam: tệp phải dùng kinh độ, vĩ độ "
                    "WGS84 (EPSG:4326), không dùng VN-2000"
                )
                % {"lon": f"{lon:g}"[:12], "lat": f"{lat:g}"[:12]}
            )
            return None
        out.append([round(lon, 5), round(lat, 5)])
    if out[0] != out[-1]:
        errors.append(_("vòng ranh giới không khép kín (điểm đầu khác điểm cuối)"))
        return None
    return out


def clean_geometry(geometry) -> tuple[dict | None, int, list[str]]:
    """(geometry rounded, positions, errors) of a GeoJSON Polygon or MultiPolygon."""
    errors: list[str] = []
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        return (
            None,
            0,
            [
                _("hình phải là Polygon hoặc MultiPolygon (tệp ghi: %(kind)s)")
                % {"kind": str(kind or "—")[:30]}
            ],
        )
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        return None, 0, [_("hình không có toạ độ")]
    cleaned, points = [], 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None, 0, [_("hình không có toạ độ")]
        rings = []
        for ring in polygon:
            points += len(ring) if isinstance(ring, list) else 0
            if points > MAX_POINTS_PER_FEATURE:
                return (
                    None,
                    points,
                    [
                        _("hình quá chi tiết (trên %(n)s điểm): hãy giản lược trước khi nhập")
                        % {"n": f"{MAX_POINTS_PER_FEATURE:,}".replace(",", ".")}
                    ],
                )
            done = _ring(ring, errors)
            if done is None:
                return None, points, errors
            rings.append(done)
        cleaned.append(rings)
    shape = (
        {"type": "Polygon", "coordinates": cleaned[0]}
        if geometry["type"] == "Polygon"
        else {"type": "MultiPolygon", "coordinates": cleaned}
    )
    return shape, points, []


def _features(upload, max_bytes: int) -> list:
    if upload.size is None or upload.size > max_bytes:
        raise imports.FileRefused(
            _("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": f"{max_bytes / 1024 / 1024:g}"}
        )
    name = (upload.name or "").lower()
    if not name.endswith((".geojson", ".json")):
        raise imports.FileRefused(_("Chỉ nhận tệp .geojson hoặc .json."))
    upload.seek(0)
    try:
        data = json.loads(upload.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise imports.FileRefused(
            _("Tệp không phải GeoJSON hợp lệ (không đọc được JSON, bảng mã UTF-8).")
        ) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise imports.FileRefused(_("Tệp GeoJSON phải là một FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise imports.FileRefused(_("Tệp không có vùng nào (features trống)."))
    if len(features) > MAX_FEATURES:
        raise imports.FileRefused(
            _("Tệp có quá nhiều vùng (tối đa %(n)s).")
            % {"n": f"{MAX_FEATURES:,}".replace(",", ".")}
        )
    return features


def import_shapes(
    *, by, upload, mode: str = imports.KEEP_GOOD, max_bytes: int = MAX_BYTES, **_ignored
) -> ShapeImport:
    """Check every feature of the file, then write the good ones (or none, in all-or-nothing
    mode, when any is bad). The report's line is the feature's number (1 = the first)."""
    check_may_import(by)
    result = ShapeImport()
    try:
        features = _features(upload, max_bytes)
    except imports.FileRefused as exc:
        result.refusal = exc.messages[0]
        return result
    result.features = len(features)
    units = _Units(by.jurisdiction)
    rows: list[imports.Row] = []
    first_line_of: dict[int, int] = {}
    for line, feature in enumerate(features, start=1):
        errors: list[str] = []
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            result.errors.add(line, [_("không phải một Feature")])
            continue
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        unit, problem = units.match(props)
        if problem:
            errors.append(problem)
        elif unit.pk in first_line_of:
            errors.append(
                _("trùng đơn vị với vùng số %(line)s (%(unit)s)")
                % {"line": first_line_of[unit.pk], "unit": unit.label()}
            )
        shape, points, geometry_errors = clean_geometry(feature.get("geometry"))
        errors.extend(geometry_errors)
        if errors:
            result.errors.add(line, errors)
            continue
        first_line_of[unit.pk] = line
        simplified = simplify_geometry(shape)
        values = {
            "unit": unit,
            "geometry": shape,
            "points": points,
            "simplified": simplified,
            "simplified_points": positions(simplified),
        }
        rows.append(imports.Row(line, values, []))
    if result.errors and mode == imports.ALL_OR_NOTHING:
        result.refusal = _("Tệp có vùng lỗi; không nhập vùng nào.")
        return result
    source = (upload.name or "")[:200]

    def write_many(chunk):
        UnitShape.objects.bulk_create(
            [
                UnitShape(
                    unit=r.values["unit"],
                    geometry=r.values["geometry"],
                    points=r.values["points"],
                    simplified=r.values["simplified"],
                    simplified_points=r.values["simplified_points"],
                    source=source,
                    imported_by=by,
                )
                for r in chunk
            ],
            update_conflicts=True,
            unique_fields=["unit"],
            update_fields=[
                "geometry",
                "points",
                "simplified",
                "simplified_points",
                "source",
                "imported_by",
                "imported_at",
            ],
        )

    with transaction.atomic():
        try:
            result.recorded = imports.write_rows(
                rows,
                lambda r: write_many([r]),
                mode=mode,
                report=result.errors,
                write_many=write_many,
                batch_size=200,
            )
        except imports.FileRefused as exc:
            result.refusal = exc.messages[0]
            return result
        audit_record(
            actor=by,
            action="levels.shapes_import",
            changes={
                "file": source,
                "features": result.features,
                "recorded": result.recorded,
                "errors": result.errors.total,
                "units": [r.values["unit"].code for r in rows][:1000],
            },
        )
    return result
