"""Import of test results from XLSX/CSV files through lib.imports, with a row-level error
report. The columns are listed in `columns()`."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.geo.selectors import communes_within
from phongdich.labtests.models import Sample
from phongdich.lib import imports
from phongdich.lib.identity import validate_id_number
from phongdich.people import imports as person_columns
from phongdich.people.models import Person

from . import services
from .models import DetectionSetting

DETECTION_WORDS = {
    "cong dong": DetectionSetting.COMMUNITY,
    "cach ly": DetectionSetting.QUARANTINE,
    "phong toa": DetectionSetting.LOCKDOWN,
    "sang loc": DetectionSetting.SCREENING,
}
RESULT_WORDS = {"duong tinh": True, "am tinh": False, "+": True, "-": False}
KIND_WORDS = {"pcr": "pcr", "rt-pcr": "pcr", "rt pcr": "pcr", "rat": "rat", "test nhanh": "rat"}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000


@dataclass
class ImportReport:
    recorded: int = 0
    duplicates: int = 0
    errors: imports.ErrorReport = field(default_factory=imports.ErrorReport)
    refusal: str = ""  # why the whole file was refused; nothing was recorded then

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


def _parse_birth_year(text: str) -> int:
    year = int(text)
    if not 1900 <= year <= timezone.localdate().year:
        raise ValueError(_("ngoài khoảng 1900 đến nay"))
    return year


def _parse_taken_at(text: str) -> datetime:
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    else:
        raise ValueError(_("không đọc được (dd/mm/yyyy hh:mm)"))
    parsed = timezone.make_aware(parsed)
    if parsed > timezone.now():
        raise ValueError(_("ở tương lai"))
    return parsed


def columns() -> list[imports.Column]:
    """Columns (header row, any order, with or without diacritics): Họ tên, Năm sinh, Số
    điện thoại, CCCD, Mã xã, Địa chỉ, Loại XN (PCR/RAT), Kết quả (dương tính/âm tính), Thời
    điểm lấy mẫu (dd/mm/yyyy [hh:mm]), Mã mẫu, Nơi phát hiện (cộng đồng/cách ly/phong
    tỏa/sàng lọc). Limits come from the models the row is saved into."""
    limit = imports.model_max_length
    return [
        imports.Column(
            "full_name",
            gettext_lazy("Họ tên"),
            headers=("họ tên", "họ và tên"),
            required=True,
            max_length=limit(Person, "full_name"),
        ),
        imports.Column(
            "birth_year",
            gettext_lazy("Năm sinh"),
            headers=("năm sinh",),
            max_length=4,
            parse=_parse_birth_year,
        ),
        person_columns.phone_column(),
        imports.Column(
            "id_number",
            gettext_lazy("CCCD"),
            headers=("cccd", "cmnd", "cccd/cmnd"),
            max_length=limit(Person, "id_number"),
            parse=validate_id_number,
        ),
        imports.Column(
            "commune_code",
            gettext_lazy("Mã xã"),
            headers=("mã xã",),
            required=True,
            max_length=5,
        ),
        imports.Column(
            "address",
            gettext_lazy("Địa chỉ"),
            headers=("địa chỉ",),
            max_length=limit(Person, "address"),
        ),
        imports.Column(
            "kind",
            gettext_lazy("Loại XN"),
            headers=("loại xn", "loại xét nghiệm"),
            required=True,
            parse=imports.parse_choice(KIND_WORDS, gettext_lazy("phải là PCR hoặc RAT")),
        ),
        imports.Column(
            "positive",
            gettext_lazy("Kết quả"),
            headers=("kết quả",),
            required=True,
            parse=imports.parse_choice(
                RESULT_WORDS, gettext_lazy("phải là “dương tính” hoặc “âm tính”")
            ),
        ),
        imports.Column(
            "taken_at",
            gettext_lazy("Thời điểm lấy mẫu"),
            headers=("thời điểm lấy mẫu", "ngày lấy mẫu"),
            required=True,
            parse=_parse_taken_at,
        ),
        imports.Column(
            "sample_id",
            gettext_lazy("Mã mẫu"),
            headers=("mã mẫu",),
            max_length=limit(Sample, "lab_sample_id"),
        ),
        imports.Column(
            "detection",
            gettext_lazy("Nơi phát hiện"),
            headers=("nơi phát hiện",),
            parse=imports.parse_choice(
                DETECTION_WORDS,
                gettext_lazy("phải là cộng đồng, cách ly, phong tỏa hoặc sàng lọc"),
            ),
        ),
    ]


def import_lab_results(*, by, upload, lab: str, mode: str) -> ImportReport:
    """Validate every row, then record the good ones ("keep_good") or, when any row is
    wrong, nothing at all ("all_or_nothing"). A refused file raises imports.FileRefused
    before anything is read when it is too big; every other refusal is in the report."""
    kind = imports.check_upload(upload, max_bytes=MAX_BYTES)
    report = ImportReport()
    communes = {u.code: u for u in communes_within(by.jurisdiction)}

    def check(row: imports.Row) -> None:
        values = row.values
        imports.commune_from_code(row, communes)
        identifiers = {"phone", "id_number", "birth_year"}
        if not any(values.get(key) for key in identifiers) and not row.failed & identifiers:
            row.errors.append(_("Cần số điện thoại, CCCD hoặc năm sinh"))

    def record(row: imports.Row) -> None:
        values = row.values
        _result, created = services.lab_result_record(
            by=by,
            lab=lab,
            sample_id=values["sample_id"],
            kind=values["kind"],
            positive=values["positive"],
            taken_at=values["taken_at"],
            person_data=services.PersonData(
                full_name=values["full_name"],
                birth_year=values["birth_year"],
                phone=values["phone"] or "",
                id_number=values["id_number"] or "",
                address=values["address"],
            ),
            commune=values["commune"],
            detection=values["detection"] or DetectionSetting.COMMUNITY,
            source="import",
        )
        if created:
            report.recorded += 1
        else:
            report.duplicates += 1

    try:
        report.errors = imports.import_rows(
            upload, columns(), kind=kind, max_rows=MAX_ROWS, mode=mode, check=check, record=record
        )
    except imports.FileRefused as exc:
        report.recorded = report.duplicates = 0
        report.refusal = exc.messages[0]
        if exc.report is not None:
            report.errors = exc.report
    return report
