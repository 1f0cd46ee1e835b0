"""Official denominators: the population of a unit by age band (5–11, 12–17, 18+, 50+, 65+,
and optionally the whole population and the high-risk group), imported per unit.

geo's population import (`geo.services.population_import`) keeps one total per unit on the
unit itself; the bands live here, so geo needs no change. The "all" band falls back to that
total when no band row is imported for it."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib import imports
from phongdich.lib.text import fold

from .models import CoverageBand, PopulationBand

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000

BAND_WORDS = {
    **{fold(str(label)): value for value, label in CoverageBand.choices},
    **{value: value for value in CoverageBand.values},
    "5 - 11": CoverageBand.AGE_5_11,
    "12 - 17": CoverageBand.AGE_12_17,
    "tu 18": CoverageBand.AGE_18_PLUS,
    "tren 18": CoverageBand.AGE_18_PLUS,
    "tu 50": CoverageBand.AGE_50_PLUS,
    "tu 65": CoverageBand.AGE_65_PLUS,
    "toan bo": CoverageBand.ALL,
    "tong": CoverageBand.ALL,
}


def _parse_band(text: str) -> str:
    found = BAND_WORDS.get(fold(text).strip())
    if found is None:
        raise ValueError(_("không rõ nhóm tuổi nào (5-11, 12-17, 18+, 50+, 65+, all)"))
    return found


def columns() -> list[imports.Column]:
    return [
        imports.Column(
            "code",
            _("Mã đơn vị"),
            headers=("mã", "mã đơn vị", "mã đvhc", "code"),
            required=True,
            max_length=imports.model_max_length(AdminUnit, "code"),
        ),
        imports.Column(
            "band",
            _("Nhóm tuổi"),
            headers=("nhóm tuổi", "nhóm", "band"),
            required=True,
            parse=_parse_band,
        ),
        imports.Column(
            "population",
            _("Dân số"),
            headers=("dân số", "population"),
            required=True,
            parse=imports.parse_count,
        ),
        imports.Column(
            "source",
            _("Nguồn"),
            headers=("nguồn", "source"),
            max_length=imports.model_max_length(PopulationBand, "source"),
        ),
    ]


@dataclass
class BandImport(imports.ImportOutcome):
    saved: int = 0


def _write(rows, units, synthetic=False) -> None:
    latest = {(units[r.values["code"]], r.values["band"]): r for r in rows}
    PopulationBand.objects.bulk_create(
        [
            PopulationBand(
                unit_id=unit_id,
                band=band,
                population=r.values["population"],
                source=r.values["source"] or "",
                synthetic=synthetic,
            )
            for (unit_id, band), r in latest.items()
        ],
        update_conflicts=True,
        unique_fields=["unit", "band"],
        update_fields=["population", "source", "synthetic"],
    )


def population_band_import(*, by, upload, all_or_nothing: bool = False) -> BandImport:
    """(unit code, band, population, source) rows; line errors; keep good rows or refuse."""
    kind = imports.check_upload(upload, max_bytes=MAX_BYTES)
    result = BandImport()
    mode = imports.ALL_OR_NOTHING if all_or_nothing else imports.KEEP_GOOD
    units = dict(AdminUnit.objects.values_list("code", "pk"))

    def check(row: imports.Row) -> None:
        code = row.values.get("code")
        if code and code not in units:
            row.errors.append(_("Mã đơn vị: không có đơn vị mã %(code)s") % {"code": code})

    try:
        table = imports.read_table(upload, columns(), kind=kind, max_rows=MAX_ROWS, check=check)
        result.errors = table.report
        imports.refuse_if_rows_failed(table, mode)
        with transaction.atomic():
            result.saved = imports.write_rows(
                table.rows,
                lambda row: _write([row], units),
                write_many=lambda rows: _write(rows, units),
                mode=mode,
                report=table.report,
            )
            audit_record(
                actor=by,
                action="vaccination.population_band_import",
                changes={"file": upload.name, "saved": result.saved, "errors": table.report.total},
            )
    except imports.FileRefused as exc:
        result.saved = 0
        result.refusal = exc.messages[0]
        if exc.report is not None:
            result.errors = exc.report
    return result
