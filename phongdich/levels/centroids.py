"""Unit centroids for the map of points, from the `vietnamadminunits` package (MIT licence;
its legacy dataset holds the 2021 provinces, districts and communes with GSO codes and
latitude/longitude). Read once per process from the package's SQLite file, read-only."""

import sqlite3
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path


@lru_cache(maxsize=1)
def centroids() -> dict[str, tuple[float, float]]:
    """{GSO code: (lat, lon)} for every province, district and commune; empty when the
    package is missing."""
    spec = find_spec("vietnamadminunits")
    if spec is None or not spec.origin:
        return {}
    db = Path(spec.origin).parent / "data" / "dataset.db"
    if not db.exists():
        return {}
    out: dict[str, tuple[float, float]] = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT provinceCode, provinceLat, provinceLon, districtCode, districtLat,"
            " districtLon, wardCode, wardLat, wardLon FROM admin_units_legacy"
        )
        for pc, plat, plon, dc, dlat, dlon, wc, wlat, wlon in rows:
            for code, lat, lon in ((pc, plat, plon), (dc, dlat, dlon), (wc, wlat, wlon)):
                if code and lat is not None and lon is not None:
                    out.setdefault(str(code), (float(lat), float(lon)))
    return out
