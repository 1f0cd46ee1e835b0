"""Loading administrative units and their populations."""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.text import nfc

from .models import AdminUnit

DATA_DIR = Path(__file__).resolve().parent / "data"
DATASETS = ("2021", "2025")


def units_file(dataset: str) -> Path:
    if dataset not in DATASETS:
        raise ValidationError(_("Bộ dữ liệu không hợp lệ: %(d)s") % {"d": dataset})
    return DATA_DIR / f"units_{dataset}.csv"


def _read_rows(dataset: str, province: str | None) -> list[dict]:
    with units_file(dataset).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if province is None:
        return rows
    province = str(int(province))
    by_code = {r["code"]: r for r in rows}

    def province_of(row: dict) -> str:
        while row["parent_code"]:
            row = by_code[row["parent_code"]]
        return row["code"]

    return [r for r in rows if province_of(r) == province]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def geography_load(*, dataset: str, province: str | None = None, by=None) -> LoadResult:
    """Create or update units from the shipped data file; running it twice changes nothing."""
    rows = _read_rows(dataset, province)
    existing = {u.code: u for u in AdminUnit.objects.filter(code__in=[r["code"] for r in rows])}
    result = LoadResult()
    to_create: list[AdminUnit] = []
    to_update: list[AdminUnit] = []
    paths: dict[str, str] = {}
    # Rows are ordered provinces → districts → communes, so a parent's path is always known.
    for row in rows:
        code, parent_code = row["code"], row["parent_code"] or None
        path = (paths[parent_code] if parent_code else "/") + code + "/"
        paths[code] = path
        values = {
            "name": nfc(row["name"]),
            "kind": row["kind"],
            "division": row.get("division", ""),
            "path": path,
            "dataset": dataset,
        }
        unit = existing.get(code)
        if unit is None:
            to_create.append(AdminUnit(code=code, **values))
        elif any(getattr(unit, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(unit, k, v)
            to_update.append(unit)
        else:
            result.unchanged += 1
    AdminUnit.objects.bulk_create(to_create, batch_size=2000)
    AdminUnit.objects.bulk_update(to_update, ["name", "kind", "division", "path", "dataset"], 2000)
    result.created, result.updated = len(to_create), len(to_update)
    # Parents are set in a second pass: bulk_create gives no ids on older SQLite.
    ids = dict(AdminUnit.objects.filter(code__in=paths).values_list("code", "id"))
    fixes = []
    for unit in AdminUnit.objects.filter(code__in=paths).only("id", "code", "parent_id", "path"):
        parent_code = unit.path.strip("/").split("/")[-2] if unit.depth else None
        parent_id = ids.get(parent_code) if parent_code else None
        if unit.parent_id != parent_id:
            unit.parent_id = parent_id
            fixes.append(unit)
    AdminUnit.objects.bulk_update(fixes, ["parent"], 2000)
    if result.created or result.updated:
        # Fresh statistics let the planner know how many units a jurisdiction holds; with
        # none it guesses 2 and drives people queries from the unit side.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE geo_adminunit")
    if result.created or result.updated:
        audit_record(
            actor=by,
            action="geo.load",
            target=None,
            changes={"dataset": dataset, "province": province, **result.__dict__},
        )
    return result


@dataclass
class PopulationImport:
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _population_rows(file_name: str, content: bytes):
    """Yield (line_number, code, population) from a CSV or XLSX file."""
    if file_name.lower().endswith(".xlsx"):
        from phongdich.lib.xlsx import read_rows

        yield from read_rows(content)
        return
    text = content.decode("utf-8-sig")
    yield from enumerate(csv.reader(io.StringIO(text)), start=1)


def _parse_count(value) -> int | None:
    """A whole non-negative number from an XLSX cell (int/float) or text like '12.345'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if value >= 0 and float(value).is_integer() else None
    digits = str(value or "").strip().replace(".", "").replace(",", "").replace(" ", "")
    return int(digits) if digits.isdigit() else None


def population_import(
    *, by, file_name: str, content: bytes, all_or_nothing: bool = False
) -> PopulationImport:
    """Set populations from (code, population) rows; bad rows are reported with their line.

    With `all_or_nothing`, any bad row refuses the whole file; otherwise good rows are kept.
    """
    result = PopulationImport()
    parsed: list[tuple[int, str, int]] = []
    for line_number, row in _population_rows(file_name, content):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if not any(cells):
            continue
        if line_number == 1 and not cells[0].isdigit():
            continue  # header
        if len(cells) < 2 or not cells[1]:
            result.errors.append((line_number, _("Thiếu cột dân số.")))
            continue
        population = _parse_count(row[1])
        if population is None:
            result.errors.append((line_number, _("Dân số không phải số: %(v)s") % {"v": cells[1]}))
            continue
        parsed.append((line_number, cells[0], population))
    known = set(
        AdminUnit.objects.filter(code__in=[c for _, c, _ in parsed]).values_list("code", flat=True)
    )
    updates: dict[str, int] = {}
    for line_number, code, population in parsed:
        if code not in known:
            result.errors.append((line_number, _("Không có đơn vị mã %(c)s.") % {"c": code}))
        else:
            updates[code] = population
    result.errors.sort()
    if result.errors and all_or_nothing:
        return result
    with transaction.atomic():
        units = list(AdminUnit.objects.filter(code__in=updates))
        for unit in units:
            unit.population = updates[unit.code]
            unit.population_synthetic = False
        AdminUnit.objects.bulk_update(units, ["population", "population_synthetic"], 2000)
        result.updated = len(units)
        audit_record(
            actor=by,
            action="geo.population_import",
            target=None,
            changes={"file": file_name, "updated": result.updated, "errors": len(result.errors)},
        )
    return result
