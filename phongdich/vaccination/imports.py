"""Import of doses from the national platform's XLSX/CSV exports through lib.imports, with a
line-numbered report; the same function serves the page and `manage.py import_doses`.

The columns and row checks live here. `import_doses` runs the bulk path (bulk/: COPY into
a staging table, set-based matching); `import_doses_per_row` sends every row through
`services.dose_record`, so each dose is matched by the people registry (or queued for
review) exactly as a dose typed in the form. Both decide every row alike, and a re-import
changes nothing (same source id, or same person + dose number + day)."""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.geo.selectors import communes_within
from phongdich.lib import imports
from phongdich.lib.identity import validate_id_number
from phongdich.lib.text import fold
from phongdich.people import imports as person_columns

from . import services
from .models import Dose, Source, VaccineProduct

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000  # one request (docs/architecture.md, "Imports of uploaded tables")


@dataclass
class DoseImport:
    recorded: int = 0  # doses attached to a person
    queued: int = 0  # doses waiting in the review queue (no confident match)
    unchanged: int = 0  # already recorded or already queued
    errors: imports.ErrorReport = field(default_factory=imports.ErrorReport)
    refusal: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


def _parse_birth(text: str) -> tuple[date | None, int]:
    """A date of birth (dd/mm/yyyy) or a birth year alone."""
    if text.isdigit() and len(text) == 4:
        year, born = int(text), None
    else:
        born = imports.parse_date(text)
        year = born.year
    if not 1900 <= year <= timezone.localdate().year:
        raise ValueError(_("ngoài khoảng 1900 đến nay"))
    return born, year


def _parse_dose_number(text: str) -> int:
    digits = "".join(ch for ch in text if ch.isdigit())  # "Mũi 2", "2"
    if not digits or not 1 <= int(digits) <= 6:
        raise ValueError(_("phải là số từ 1 đến 6"))
    return int(digits)


def _parse_given_on(text: str) -> date:
    value = imports.parse_date(text)
    if value > timezone.localdate():
        raise ValueError(_("ở tương lai"))
    if value.year < 2020:
        raise ValueError(_("trước năm 2020"))
    return value


def columns() -> list[imports.Column]:
    """Columns (header row, any order, with or without diacritics): CCCD, Họ và tên, Ngày
    sinh (or Năm sinh), Giới tính, Số điện thoại, Mã xã, Vắc xin, Mũi số, Ngày tiêm
    (dd/mm/yyyy), Điểm tiêm, Số lô, Mã bản ghi."""
    limit = imports.model_max_length
    return [
        imports.Column(
            "id_number",
            gettext_lazy("CCCD"),
            headers=("cccd", "cmnd", "cccd/cmnd", "số cccd", "số định danh"),
            max_length=20,
            parse=validate_id_number,
        ),
        person_columns.full_name_column(),
        imports.Column(
            "birth",
            gettext_lazy("Ngày sinh"),
            headers=("ngày sinh", "năm sinh", "ngày/năm sinh"),
            max_length=10,
            parse=_parse_birth,
        ),
        person_columns.sex_column(),
        person_columns.phone_column(),
        imports.Column(
            "commune_code",
            gettext_lazy("Mã xã"),
            headers=("mã xã", "mã xã/phường"),
            required=True,
            max_length=5,
        ),
        imports.Column(
            "vaccine",
            gettext_lazy("Vắc xin"),
            headers=("vắc xin", "vaccine", "loại vắc xin", "tên vắc xin"),
            required=True,
            max_length=120,
        ),
        imports.Column(
            "dose_number",
            gettext_lazy("Mũi số"),
            headers=("mũi số", "mũi", "mũi tiêm"),
            required=True,
            max_length=10,
            parse=_parse_dose_number,
        ),
        imports.Column(
            "given_on",
            gettext_lazy("Ngày tiêm"),
            headers=("ngày tiêm",),
            required=True,
            parse=_parse_given_on,
        ),
        imports.Column(
            "site_name",
            gettext_lazy("Điểm tiêm"),
            headers=("điểm tiêm", "nơi tiêm", "cơ sở tiêm"),
            max_length=limit(Dose, "site_name"),
        ),
        imports.Column(
            "lot",
            gettext_lazy("Số lô"),
            headers=("số lô", "lô vắc xin"),
            max_length=limit(Dose, "lot"),
        ),
        imports.Column(
            "source_id",
            gettext_lazy("Mã bản ghi"),
            headers=("mã bản ghi", "mã nguồn", "id"),
            max_length=limit(Dose, "source_id"),
        ),
    ]


def product_words() -> dict[str, VaccineProduct]:
    """Folded code, name, and aliases of every active product."""
    words = {}
    for product in VaccineProduct.objects.filter(active=True):
        for word in (product.code, product.name, *product.aliases.split(";")):
            if word.strip():
                words[fold(word.strip())] = product
    return words


def row_check(by):
    """The import's own checks of a row (commune inside the importer's jurisdiction, a known
    vaccine, something to identify the person by), shared by the per-row and bulk paths."""
    communes = {u.code: u for u in communes_within(by.jurisdiction)}
    products = product_words()

    def check(row: imports.Row) -> None:
        values = row.values
        imports.commune_from_code(row, communes)
        name = values.get("vaccine")
        if name:
            values["product"] = products.get(fold(name))
            if values["product"] is None:
                row.errors.append(
                    _("Vắc xin: không có trong danh mục (“%(name)s”)") % {"name": name[:60]}
                )
        identifiers = {"phone", "id_number", "birth"}
        if not any(values.get(key) for key in identifiers) and not row.failed & identifiers:
            row.errors.append(_("Cần số CCCD, số điện thoại hoặc ngày/năm sinh"))

    return check


def import_doses(
    *, by, upload, mode: str, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES, progress=None
) -> DoseImport:
    """The import the page and `manage.py import_doses` run: the bulk path (bulk/), which
    decides every row exactly as `import_doses_per_row` would."""
    from . import bulk

    return bulk.import_doses_bulk(
        by=by, upload=upload, mode=mode, max_rows=max_rows, max_bytes=max_bytes, progress=progress
    )


def import_doses_per_row(
    *, by, upload, mode: str, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES
) -> DoseImport:
    """Validate every row, then record the good ones ("keep_good") or, when any row is
    wrong, nothing at all ("all_or_nothing"), one `services.dose_record` per row. Kept as
    the reference the bulk path is tested against, and as the bench's per-row figure."""
    kind = imports.check_upload(upload, max_bytes=max_bytes)
    result = DoseImport()
    current = services.policy()
    check = row_check(by)

    def record(row: imports.Row) -> None:
        values = row.values
        born, year = values["birth"] or (None, None)
        outcome = services.dose_record(
            by=by,
            identity=services.Identity(
                full_name=values["full_name"],
                commune=values["commune"],
                birth_year=year,
                birth_date=born,
                sex=values["sex"] or "",
                phone=values["phone"] or "",
                id_number=values["id_number"] or "",
            ),
            dose=services.DoseInput(
                product=values["product"],
                dose_number=values["dose_number"],
                given_on=values["given_on"],
                site_name=values["site_name"],
                lot=values["lot"],
                source=Source.IMPORTED,
                source_id=values["source_id"],
            ),
            current=current,
        )
        if not outcome.created:
            result.unchanged += 1
        elif outcome.dose is not None:
            result.recorded += 1
        else:
            result.queued += 1

    try:
        result.errors = imports.import_rows(
            upload, columns(), kind=kind, max_rows=max_rows, mode=mode, check=check, record=record
        )
    except imports.FileRefused as exc:
        result.recorded = result.queued = result.unchanged = 0
        result.refusal = exc.messages[0]
        if exc.report is not None:
            result.errors = exc.report
    return result


# --- the page's import, run by the worker (lib.background_imports) ---------------------------

# The page's limits: the upload cap every page has (settings.UPLOAD_MAX_BYTES, 20 MB, about
# 200,000 rows of the platform's CSV); larger files go through `manage.py import_doses`.
PAGE_MAX_ROWS = 1_000_000


def register_background_import():
    from django.conf import settings
    from django.utils.translation import gettext_lazy

    from phongdich.lib import background_imports

    from .permissions import REVIEW_ROLES

    return background_imports.register_people_rows(
        name="vaccination.doses",
        title=gettext_lazy("Mũi tiêm"),
        roles=REVIEW_ROLES,
        run=import_doses,
        back_url="vaccination:import",
        counters={"n": "recorded", "q": "queued", "u": "unchanged"},
        summary=gettext_lazy(
            "Đã ghi %(n)s mũi tiêm; %(q)s mũi chờ xác định người; %(u)s mũi đã có từ trước."
        ),
        record_stage=gettext_lazy("Đang ghi mũi tiêm"),
        max_bytes=getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
        max_rows=PAGE_MAX_ROWS,
    )
