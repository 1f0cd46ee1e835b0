#!/usr/bin/env python3
"""Build the administrative-unit CSV files from the ``vietnam-provinces`` package.

Usage (inside a venv that has the matching package version installed)::

    python build_units.py 2021 > units_2021.csv   # vietnam-provinces==0.4.3 (three levels)
    python build_units.py 2025 > units_2025.csv   # vietnam-provinces>=2025.8 (two levels)

The script reads the package's own ``nested-divisions.json`` data file and writes
``code,name,kind,parent_code,division`` rows to stdout. Anomalies (rebuilt names,
type mismatches, duplicates, missing parents) are reported on stderr. It exits
non-zero if the data fails a consistency check.

Only the standard library is used besides the package itself.
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata

import vietnam_provinces

HEADER = ("code", "name", "kind", "parent_code", "division")

# Name prefix -> division, per kind. Longer prefixes first where they share words.
PROVINCE_PREFIXES = (("Thành phố ", "thanh_pho_tw"), ("Tỉnh ", "tinh"))
DISTRICT_PREFIXES = (
    ("Thành phố ", "thanh_pho"),
    ("Thị xã ", "thi_xa"),
    ("Quận ", "quan"),
    ("Huyện ", "huyen"),
)
COMMUNE_PREFIXES = (
    ("Thị trấn ", "thi_tran"),
    ("Phường ", "phuong"),
    ("Đặc khu ", "dac_khu"),
    ("Xã ", "xa"),
)
PREFIXES = {
    "province": PROVINCE_PREFIXES,
    "district": DISTRICT_PREFIXES,
    "commune": COMMUNE_PREFIXES,
}

# Package division_type -> name prefix. Used only to rebuild a name that lacks its
# prefix. Version 0.6.0 types every district "huyện" and every ward "xã", so for
# those levels the package type is not trusted (see TRUSTED_TYPES).
TYPE_PREFIX = {
    "tỉnh": "Tỉnh ",
    "thành phố trung ương": "Thành phố ",
    "thành phố": "Thành phố ",
    "thị xã": "Thị xã ",
    "quận": "Quận ",
    "huyện": "Huyện ",
    "phường": "Phường ",
    "xã": "Xã ",
    "thị trấn": "Thị trấn ",
    "đặc khu": "Đặc khu ",
}
# Package division_type -> expected division, for cross-checking.
TYPE_DIVISION = {
    "tỉnh": "tinh",
    "thành phố trung ương": "thanh_pho_tw",
    "phường": "phuong",
    "xã": "xa",
    "đặc khu": "dac_khu",
}

EXPECTED = {
    "2021": {"levels": 3, "major": "0."},
    "2025": {"levels": 2, "major": "2025."},
}


def warn(msg: str) -> None:
    print(f"build_units: {msg}", file=sys.stderr)


def split_prefix(kind: str, name: str) -> tuple[str, str] | None:
    """Return (canonical prefix, division) for a name; the prefix match ignores case."""
    folded = name.casefold()
    for prefix, division in PREFIXES[kind]:
        if folded.startswith(prefix.casefold()):
            return prefix, division
    return None


# GSO codes are fixed-width: 2 digits for provinces, 3 for districts, 5 for communes.
# Padding keeps them unique across kinds (province 1 "01", district 1 "001", commune "00001").
CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}


def gso_code(kind: str, value) -> str:
    return str(value).zfill(CODE_WIDTH[kind])


def make_row(kind: str, unit: dict, parent_code: str, trust_type: bool) -> dict:
    """Return one output row; rebuild the full name from the type if it lacks a prefix."""
    code = gso_code(kind, unit["code"])
    raw = unit["name"]
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if name != raw:
        warn(f"{kind} {code}: name normalised (NFC/whitespace): {raw!r} -> {name!r}")
    found = split_prefix(kind, name)
    pkg_type = unit.get("division_type", "")
    if found is None:
        prefix = TYPE_PREFIX.get(pkg_type) if trust_type else None
        if prefix is None:
            raise SystemExit(f"{kind} {code} {name!r}: no known prefix and no usable type")
        rebuilt = prefix + name
        found = split_prefix(kind, rebuilt)
        if found is None:
            raise SystemExit(f"{kind} {code} {name!r}: rebuilt name {rebuilt!r} not recognised")
        warn(f"{kind} {code}: name rebuilt from type {pkg_type!r}: {name!r} -> {rebuilt!r}")
        name = rebuilt
    prefix, division = found
    if not name.startswith(prefix):
        fixed = prefix + name[len(prefix) :]
        warn(f"{kind} {code}: prefix case fixed: {name!r} -> {fixed!r}")
        name = fixed
    if trust_type and pkg_type in TYPE_DIVISION and TYPE_DIVISION[pkg_type] != division:
        warn(f"{kind} {code} {name!r}: name says {division}, package type says {pkg_type!r}")
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "parent_code": parent_code,
        "division": division,
    }


def collect(data: list[dict], three_level: bool) -> list[dict]:
    provinces, districts, communes = [], [], []
    for prov in data:
        # 0.6.0 types every province "tỉnh" (even Hà Nội), every district "huyện" and
        # every ward "xã", so its types are never trusted; 2025.x types are correct.
        provinces.append(make_row("province", prov, "", trust_type=not three_level))
        pcode = gso_code("province", prov["code"])
        if three_level:
            for dist in prov["districts"]:
                districts.append(make_row("district", dist, pcode, trust_type=False))
                dcode = gso_code("district", dist["code"])
                for ward in dist["wards"]:
                    communes.append(make_row("commune", ward, dcode, trust_type=False))
        else:
            for ward in prov["wards"]:
                communes.append(make_row("commune", ward, pcode, trust_type=True))
    rows = []
    for group in (provinces, districts, communes):
        rows.extend(sorted(group, key=lambda r: int(r["code"])))
    return rows


def check(rows: list[dict]) -> bool:
    ok = True
    seen: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["kind"], r["code"])
        if key in seen:
            warn(f"duplicate {r['kind']} code {r['code']}: {seen[key]!r} and {r['name']!r}")
            ok = False
        seen[key] = r["name"]
    parent_kind = {"district": "province", "commune": None}
    has_districts = any(r["kind"] == "district" for r in rows)
    parent_kind["commune"] = "district" if has_districts else "province"
    for r in rows:
        if r["kind"] == "province":
            continue
        if (parent_kind[r["kind"]], r["parent_code"]) not in seen:
            warn(f"{r['kind']} {r['code']}: parent {r['parent_code']} missing")
            ok = False
    return ok


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in EXPECTED:
        print("usage: build_units.py {2021|2025} > units_YEAR.csv", file=sys.stderr)
        return 2
    year = argv[1]
    version = vietnam_provinces.__version__
    if not version.startswith(EXPECTED[year]["major"]):
        warn(f"vietnam-provinces {version} does not look like the {year} data set")
        return 2
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    three_level = "districts" in data[0]
    if three_level != (EXPECTED[year]["levels"] == 3):
        warn(f"vietnam-provinces {version}: unexpected structure for {year}")
        return 2
    rows = collect(data, three_level)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["kind"]] = counts.get(r["kind"], 0) + 1
    data_version = getattr(vietnam_provinces, "__data_version__", "?")
    warn(f"vietnam-provinces {version} (data {data_version}): {counts}")
    writer = csv.DictWriter(sys.stdout, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return 0 if check(rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
