"""Import of test results from XLSX/CSV files, with a row-level error report.

Columns (header row, any order, with or without diacritics): Họ tên, Năm sinh, Số điện
thoại, CCCD, Mã xã, Địa chỉ, Loại XN (PCR/RAT), Kết quả (dương tính/âm tính), Thời điểm lấy
mẫu (dd/mm/yyyy [hh:mm]), Mã mẫu, Nơi phát hiện (cộng đồng/cách ly/phong tỏa/sàng lọc).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from phongdich.geo.selectors import communes_within
from phongdich.lib import xlsx
from phongdich.lib.identity import normalize_phone, validate_id_number
from phongdich.lib.text import name_key

from . import services
from .models import DetectionSetting

HEADERS = {
    "ho ten": "full_name",
    "ho va ten": "full_name",
    "nam sinh": "birth_year",
    "so dien thoai": "phone",
    "sdt": "phone",
    "cccd": "id_number",
    "ma xa": "commune_code",
    "dia chi": "address",
    "loai xn": "kind",
    "ket qua": "result",
    "thoi diem lay mau": "taken_at",
    "ngay lay mau": "taken_at",
    "ma mau": "sample_id",
    "noi phat hien": "detection",
}
DETECTION_WORDS = {
    "cong dong": DetectionSetting.COMMUNITY,
    "cach ly": DetectionSetting.QUARANTINE,
    "phong toa": DetectionSetting.LOCKDOWN,
    "sang loc": DetectionSetting.SCREENING,
}
MAX_ROWS = 5000


@dataclass
class RowError:
    line: int
    messages: list[str]


@dataclass
class ImportReport:
    recorded: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    refused: bool = False


def _rows(name: str, content: bytes):
    if name.lower().endswith(".csv"):
        text = content.decode("utf-8-sig", errors="replace")
        yield from enumerate(csv.reader(io.StringIO(text)), start=1)
    else:
        yield from xlsx.read_rows(content)


def _parse_datetime(value) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value or "").strip()
        for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError("Thời điểm lấy mẫu không đọc được (dd/mm/yyyy hh:mm)")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if parsed > timezone.now():
        raise ValueError("Thời điểm lấy mẫu ở tương lai")
    return parsed


def _clean_row(raw: dict, communes: dict) -> tuple[dict, list[str]]:
    errors, row = [], {}
    row["full_name"] = str(raw.get("full_name") or "").strip()
    if not row["full_name"]:
        errors.append("Thiếu họ tên")
    year = raw.get("birth_year")
    try:
        row["birth_year"] = int(float(year)) if year not in (None, "") else None
        if row["birth_year"] is not None and not 1900 <= row["birth_year"] <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors.append("Năm sinh không hợp lệ")
        row["birth_year"] = None
    for key, validate in (("phone", normalize_phone), ("id_number", validate_id_number)):
        value = str(raw.get(key) or "").strip()
        if key == "id_number" and value.endswith(".0"):
            value = value[:-2]  # Excel turns a CCCD typed as a number into a float
        try:
            row[key] = validate(value) if value else ""
        except ValidationError as exc:
            errors.extend(exc.messages)
            row[key] = ""
    if not (row["phone"] or row["id_number"] or row["birth_year"]):
        errors.append("Cần số điện thoại, CCCD hoặc năm sinh")
    code = str(raw.get("commune_code") or "").strip().split(".")[0]
    row["commune"] = communes.get(code.zfill(5)) if code else None
    if row["commune"] is None:
        errors.append(f"Mã xã '{code}' không thuộc địa bàn của bạn")
    kind = name_key(str(raw.get("kind") or ""))
    row["kind"] = "pcr" if "pcr" in kind else "rat" if kind in ("rat", "test nhanh") else None
    if row["kind"] is None:
        errors.append("Loại xét nghiệm phải là PCR hoặc RAT")
    result = name_key(str(raw.get("result") or ""))
    row["positive"] = {"duong tinh": True, "am tinh": False, "+": True, "-": False}.get(
        result or str(raw.get("result") or "").strip()
    )
    if row["positive"] is None:
        errors.append("Kết quả phải là 'dương tính' hoặc 'âm tính'")
    try:
        row["taken_at"] = _parse_datetime(raw.get("taken_at"))
    except ValueError as exc:
        errors.append(str(exc))
    row["sample_id"] = str(raw.get("sample_id") or "").strip()[:60]
    row["address"] = str(raw.get("address") or "").strip()[:255]
    detection = name_key(str(raw.get("detection") or "cong dong"))
    row["detection"] = DETECTION_WORDS.get(detection)
    if row["detection"] is None:
        errors.append("Nơi phát hiện không hợp lệ")
    return row, errors


def import_lab_results(*, by, name: str, content: bytes, lab: str, mode: str) -> ImportReport:
    """Validate every row, then record the good ones ("keep_good") or, when any row is
    wrong, nothing at all ("all_or_nothing")."""
    report = ImportReport()
    communes = {u.code: u for u in communes_within(by.jurisdiction)}
    columns: list[str | None] | None = None
    good = []
    try:
        for line, cells in _rows(name, content):
            if columns is None:
                columns = [HEADERS.get(name_key(str(c or ""))) for c in cells]
                missing = {"full_name", "commune_code", "kind", "result", "taken_at"} - set(columns)
                if missing:
                    report.errors.append(
                        RowError(line, [f"Thiếu cột: {', '.join(sorted(missing))}"])
                    )
                    report.refused = True
                    return report
                continue
            if not any(c not in (None, "") for c in cells):
                continue
            if line > MAX_ROWS + 1:
                report.errors.append(RowError(line, [f"Tối đa {MAX_ROWS} dòng mỗi tệp"]))
                break
            raw = {col: cells[i] for i, col in enumerate(columns) if col and i < len(cells)}
            row, errors = _clean_row(raw, communes)
            if errors:
                report.errors.append(RowError(line, errors))
            else:
                good.append((line, row))
    except Exception as exc:  # openpyxl/csv raise many kinds on a damaged file
        report.errors.append(RowError(0, [f"Không đọc được tệp: {type(exc).__name__}"]))
        report.refused = True
        return report
    if report.errors and mode == "all_or_nothing":
        report.refused = True
        return report
    try:
        with transaction.atomic():
            for line, row in good:
                try:
                    with transaction.atomic():
                        created = _record_row(by=by, lab=lab, row=row)
                except ValidationError as exc:
                    # e.g. a sample id another unit already recorded: this row only
                    report.errors.append(RowError(line, exc.messages))
                    if mode == "all_or_nothing":
                        raise _Refused from exc
                    continue
                if created:
                    report.recorded += 1
                else:
                    report.duplicates += 1
    except _Refused:
        report.recorded = report.duplicates = 0
        report.refused = True
    return report


class _Refused(Exception):
    """Rolls back an all-or-nothing import when a row fails while being recorded."""


def _record_row(*, by, lab: str, row: dict) -> bool:
    _result, created = services.lab_result_record(
        by=by,
        lab=lab,
        sample_id=row["sample_id"],
        kind=row["kind"],
        positive=row["positive"],
        taken_at=row["taken_at"],
        person_data=services.PersonData(
            full_name=row["full_name"],
            birth_year=row["birth_year"],
            phone=row["phone"],
            id_number=row["id_number"],
            address=row["address"],
        ),
        commune=row["commune"],
        detection=row["detection"],
        source="import",
    )
    return created
