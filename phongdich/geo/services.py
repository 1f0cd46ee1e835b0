"""Loading administrative units and their populations."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import imports
from phongdich.lib.text import nfc

from .models import AdminUnit
from .selectors import units_changed

DATA_DIR = Path(__file__).resolve().parent / "data"
DATASETS = ("2021", "2025")


def units_file(dataset: str) -> Path:
    if dataset not in DATASETS:
        raise ValidationError(_("Bộ dữ liệu không hợp lệ: %(d)s") % {"d": dataset})
    return DATA_DIR / f"units_{dataset}.csv"


def _read_rows(dataset: str, province: str | None, outline: bool = False) -> list[dict]:
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

    return [
        r
        for r in rows
        if province_of(r) == province or (outline and r["kind"] != AdminUnit.Kind.COMMUNE)
    ]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def geography_load(
    *, dataset: str, province: str | None = None, outline: bool = True, by=None
) -> LoadResult:
    """Create or update units from the shipped data file; running it twice changes nothing.

    With `province`, that province is loaded down to its communes and, with `outline`, every
    other province and district of the country too (about 770 more rows): a traveller's
    origin and an epidemic area elsewhere must exist as units with their codes. Communes of
    other provinces are left out: no form offers them, and 10,000 rows would slow every
    test database and `make run` for nothing."""
    rows = _read_rows(dataset, province, outline)
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
    units_changed()  # bulk writes send no signals: the per-process lookup must forget
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
            changes={
                "dataset": dataset,
                "province": province,
                "outline": outline,
                **result.__dict__,
            },
        )
    return result


POPULATION_MAX_BYTES = 5 * 1024 * 1024
POPULATION_MAX_ROWS = 20_000  # the country has about 11,400 units of the three levels


@dataclass
class PopulationImport:
    updated: int = 0
    errors: imports.ErrorReport = field(default_factory=imports.ErrorReport)
    refusal: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


def population_columns() -> list[imports.Column]:
    return [
        imports.Column(
            "code",
            _("Mã đơn vị"),
            headers=("mã", "mã đơn vị", "mã thống kê", "mã đvhc", "code"),
            required=True,
            max_length=imports.model_max_length(AdminUnit, "code"),
        ),
        imports.Column(
            "population",
            _("Dân số"),
            headers=("dân số", "population"),
            required=True,
            parse=imports.parse_count,
        ),
    ]


def population_import(*, by, upload, all_or_nothing: bool = False) -> PopulationImport:
    """Set populations from (code, population) rows; bad rows are reported with their line.

    With `all_or_nothing`, any bad row refuses the whole file; otherwise good rows are kept.
    A file too big is refused (imports.FileRefused) before it is read."""
    kind = imports.check_upload(upload, max_bytes=POPULATION_MAX_BYTES)
    result = PopulationImport()
    mode = imports.ALL_OR_NOTHING if all_or_nothing else imports.KEEP_GOOD
    known = set(AdminUnit.objects.values_list("code", flat=True))

    def check(row: imports.Row) -> None:
        code = row.values.get("code")
        if code and code not in known:
            row.errors.append(_("Mã đơn vị: không có đơn vị mã %(code)s") % {"code": code})

    def update(rows: list[imports.Row]) -> None:
        populations = {row.values["code"]: row.values["population"] for row in rows}
        units = list(AdminUnit.objects.filter(code__in=populations))
        for unit in units:
            unit.population, unit.population_synthetic = populations[unit.code], False
        AdminUnit.objects.bulk_update(units, ["population", "population_synthetic"])
        units_changed()

    try:
        table = imports.read_table(
            upload,
            population_columns(),
            kind=kind,
            max_rows=POPULATION_MAX_ROWS,
            header="optional",
            check=check,
        )
        result.errors = table.report
        imports.refuse_if_rows_failed(table, mode)
        with transaction.atomic():
            result.updated = imports.write_rows(
                table.rows,
                lambda row: update([row]),
                write_many=update,
                mode=mode,
                report=table.report,
            )
            audit_record(
                actor=by,
                action="geo.population_import",
                target=None,
                changes={
                    "file": upload.name,
                    "updated": result.updated,
                    "errors": table.report.total,
                },
            )
    except imports.FileRefused as exc:
        result.updated = 0
        result.refusal = exc.messages[0]
        if exc.report is not None:
            result.errors = exc.report
    return result
