"""Importing tables that offices upload (CSV or XLSX) without losing or garbling anything.

Every import goes through the same four steps, so each one gets the same guarantees:

1. `check_upload` refuses a file over the size cap from `upload.size`, before a byte of the
   body is read.
2. `read_table` streams the rows (CSV through a buffered text wrapper over the file, XLSX
   read-only) and stops at the row cap; it detects the CSV's encoding (UTF-8 with or without
   BOM, UTF-16 from Excel's "Unicode text", Windows-1258) or refuses the file, and hands back
   every cell as NFC text, so Windows-1258's combining tone marks never reach the database.
3. Each `Column` checks its cell against the model's own limits (`model_max_length`), so an
   over-long value is a line in the report, never a database error.
4. `write_rows` saves the good rows, each batch in a savepoint: in "keep good rows" a row the
   database still refuses is reported and the others stay; in "all or nothing" one failure
   refuses the whole file.

Problems go into an `ErrorReport`, which keeps the first `MAX_STORED_ERRORS` rows and counts
the rest, so a file of 200,000 bad rows stores a report of bounded size.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import DatabaseError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .text import fold, nfc
from .xlsx import build_workbook

MAX_STORED_ERRORS = 1000
MAX_MESSAGES_PER_ROW = 12
MAX_MESSAGE_LENGTH = 200
# Columns read from each row: a sheet may declare (or hold) 16,384 columns per row.
MAX_COLUMNS = 60
# Members of an XLSX other than the sheets are loaded whole by openpyxl (shared strings,
# styles), so their declared uncompressed size is capped; zipfile never inflates a member
# past its declared size, so the check holds even against a crafted archive.
MAX_XLSX_LOADED_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 64 * 1024

KEEP_GOOD = "keep_good"
ALL_OR_NOTHING = "all_or_nothing"


class FileRefused(ValidationError):
    """The whole file is refused (too big, too many rows, unreadable, unknown encoding, or a
    bad row in all-or-nothing mode). `report` holds the row errors found before stopping."""

    def __init__(self, message: str, report: ErrorReport | None = None):
        super().__init__(message)
        self.report = report


# --- the error report ----------------------------------------------------------------------


@dataclass
class ErrorReport:
    """Row errors by line number: the first `limit` rows are kept, all are counted."""

    limit: int = MAX_STORED_ERRORS
    entries: list[dict] = field(default_factory=list)
    total: int = 0

    def add(self, line: int, messages: Iterable[str]) -> None:
        messages = [str(m)[:MAX_MESSAGE_LENGTH] for m in messages][:MAX_MESSAGES_PER_ROW]
        if not messages:
            return
        self.total += 1
        if len(self.entries) < self.limit:
            self.entries.append({"line": line, "errors": messages})

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def truncated(self) -> bool:
        return self.total > len(self.entries)

    def as_dict(self) -> dict:
        return {"entries": self.entries, "total": self.total}

    @classmethod
    def from_dict(cls, data: dict | list | None) -> ErrorReport:
        if isinstance(data, list):  # reports stored before the total was kept
            return cls(entries=data, total=len(data))
        data = data or {}
        return cls(entries=list(data.get("entries") or []), total=int(data.get("total") or 0))

    def workbook(self) -> bytes:
        rows = ([e["line"], "; ".join(e["errors"])] for e in self.entries)
        return build_workbook(_("Dòng lỗi"), [_("Dòng"), _("Lỗi")], rows)


# --- the upload: size cap and format ----------------------------------------------------------


def as_upload(name: str, content: bytes) -> UploadedFile:
    """Bytes held by a script or a test, as the upload the import functions take."""
    return SimpleUploadedFile(name, content)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def check_upload(upload, *, max_bytes: int, suffixes: tuple[str, ...] = (".csv", ".xlsx")) -> str:
    """Refuse a file over `max_bytes` from its declared size, without reading it; return the
    format ("csv" or "xlsx") read from the file's first bytes, whatever its name says."""
    if upload.size is None or upload.size > max_bytes:
        raise FileRefused(_("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": _megabytes(max_bytes)})
    name = (upload.name or "").lower()
    if not name.endswith(suffixes):
        raise FileRefused(_("Chỉ nhận tệp %(kinds)s.") % {"kinds": ", ".join(suffixes)})
    upload.seek(0)
    magic = upload.read(8)
    upload.seek(0)
    if magic.startswith(b"PK\x03\x04"):
        if ".xlsx" not in suffixes:
            raise FileRefused(_("Chỉ nhận tệp %(kinds)s.") % {"kinds": ", ".join(suffixes)})
        return "xlsx"
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _(
                "Tệp Excel 97-2003 (.xls) không đọc được. Hãy mở tệp trong Excel và lưu lại "
                "dạng Excel Workbook (.xlsx) hoặc CSV UTF-8."
            )
        )
    if name.endswith(".xlsx"):
        raise FileRefused(_("Không đọc được tệp Excel (.xlsx): tệp bị hỏng hoặc không phải Excel."))
    return "csv"


# --- encodings ---------------------------------------------------------------------------------

_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
# Every letter of the Vietnamese alphabet with every tone, both cases, precomposed (NFC).
VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", base + tone)
    for lower in "aăâeêioôơuưy"
    for base in (lower, lower.upper())
    for tone in _TONES
) | frozenset("đĐ")
# Punctuation that Windows-1258 files legitimately hold besides letters.
_LEGACY_PUNCTUATION = frozenset("\u00a0–—‘’“”…•°·€")

REFUSED_ENCODING = gettext_lazy(
    "Không nhận ra bảng mã của tệp CSV, nên không nhập để tránh sai tên người. Hãy mở tệp "
    'trong Excel, chọn Lưu thành (Save As) kiểu "CSV UTF-8 (Comma delimited)" rồi nhập lại.'
)


def looks_vietnamese(text: str) -> bool:
    """True when every non-ASCII character of NFC `text` is a Vietnamese letter or ordinary
    punctuation, and no accented capital sits inside a lower-case word ("NguyÔn" is what a
    TCVN3 file looks like read as Windows-1258)."""
    previous = ""
    for ch in text:
        if ord(ch) >= 128:
            if ch not in VIETNAMESE_LETTERS and ch not in _LEGACY_PUNCTUATION:
                return False
            if ch.isupper() and previous.islower():
                return False
        previous = ch
    return True


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """The codec to read a CSV with, from its first bytes; FileRefused when none fits.

    Excel writes "CSV UTF-8" with a BOM, "Unicode text" as UTF-16 with a BOM, and plain
    "CSV" in the Windows code page, which on Vietnamese Windows is 1258."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and even * 10 < odd:
            return "utf-16-le"
        if even > len(sample) // 4 and odd * 10 < even:
            return "utf-16-be"
        raise FileRefused(REFUSED_ENCODING)
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # The sample may end in the middle of a character; only that is forgiven.
        if not complete and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    try:
        text = unicodedata.normalize("NFC", sample.decode("cp1258"))
    except UnicodeDecodeError:
        raise FileRefused(REFUSED_ENCODING) from None
    if looks_vietnamese(text):
        return "cp1258"
    raise FileRefused(REFUSED_ENCODING)


REFUSED_TEXT_ENCODING = gettext_lazy(
    "Không nhận ra bảng mã của tệp văn bản, nên không đọc để tránh sai chữ. Hãy mở tệp, "
    "chọn Lưu thành (Save As) với bảng mã UTF-8 rồi nhập lại."
)


def decode_text(data: bytes, *, refusal: str = REFUSED_TEXT_ENCODING) -> str:
    """A whole text file as NFC text in the encoding `detect_encoding` finds; FileRefused
    with `refusal` when none fits or the file breaks its encoding further on."""
    try:
        encoding = detect_encoding(data[:SNIFF_BYTES], complete=len(data) <= SNIFF_BYTES)
        return unicodedata.normalize("NFC", data.decode(encoding))
    except (FileRefused, UnicodeDecodeError):
        raise FileRefused(refusal) from None


# --- reading rows --------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as NFC text: whole numbers without '.0' (Excel stores codes and phone numbers
    typed as numbers as floats), dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.hour or value.minute:
            return value.strftime("%d/%m/%Y %H:%M")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


class _FileStream(io.RawIOBase):
    """A raw stream over an upload's `read`, so TextIOWrapper decodes it 64 KB at a time."""

    def __init__(self, source):
        self.source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _delimiter(first_line: str) -> str:
    # Vietnamese Windows uses ";" as the list separator; "Unicode text" is tab-separated.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_rows(upload, max_lines: int) -> Iterator[tuple[int, list]]:
    upload.seek(0)
    sample = upload.read(SNIFF_BYTES)
    encoding = detect_encoding(sample, complete=len(sample) < SNIFF_BYTES)
    upload.seek(0)
    text = io.TextIOWrapper(
        io.BufferedReader(_FileStream(upload), SNIFF_BYTES), encoding=encoding, newline=""
    )
    line = 0
    try:
        head = text.readline(SNIFF_BYTES)
        reader = csv.reader(
            _chain_first(head, text), delimiter=_delimiter(head.splitlines()[0] if head else "")
        )
        for line, cells in enumerate(reader, start=1):
            if line > max_lines:
                yield line, None
                return
            yield line, cells[:MAX_COLUMNS]
    except UnicodeDecodeError:
        raise FileRefused(
            _("Dòng %(line)s: %(why)s") % {"line": line + 1, "why": REFUSED_ENCODING}
        ) from None
    except csv.Error as exc:
        raise FileRefused(
            _("Dòng %(line)s: tệp CSV sai định dạng (%(why)s).") % {"line": line + 1, "why": exc}
        ) from None
    finally:
        text.detach()


def _chain_first(first: str, rest: Iterable[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _first_sheet(upload):
    """Open an XLSX for streaming: (archive, shared strings, workbook, first sheet's path).

    openpyxl's load_workbook(read_only=True) scans a sheet that declares no dimension from
    end to end before the first row comes out, so a small file of 200,000 rows costs the
    whole scan up front; this reads the workbook parts and leaves the sheet to `_xlsx_rows`."""
    from openpyxl.reader.excel import ExcelReader

    class FirstSheetReader(ExcelReader):
        sheet_path = None

        def read_worksheets(self):
            for _sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "worksheet" in rel.Type:
                    self.sheet_path = rel.target
                    return

        def assign_names(self):  # print areas and such name sheets this reader never builds
            pass

    reader = FirstSheetReader(upload, read_only=True, data_only=True)
    reader.read()
    reader.parser.assign_names = lambda: None
    return reader


def _xlsx_rows(upload, max_lines: int) -> Iterator[tuple[int, list]]:
    from openpyxl.worksheet._reader import WorkSheetParser

    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            loaded = sum(
                info.file_size
                for info in archive.infolist()
                if not info.filename.startswith("xl/worksheets/")
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(_("Không đọc được tệp Excel (.xlsx): tệp bị hỏng.")) from None
    if loaded > MAX_XLSX_LOADED_BYTES:
        raise FileRefused(_("Tệp Excel quá lớn khi giải nén; hãy chia thành nhiều tệp nhỏ hơn."))
    upload.seek(0)
    try:
        reader = _first_sheet(upload)
        if reader.sheet_path is None:
            raise ValueError("no worksheet")
        workbook = reader.wb
        source = reader.archive.open(reader.sheet_path)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError...) on a damaged file
        raise FileRefused(_("Không đọc được tệp Excel (.xlsx): tệp bị hỏng.")) from None
    parser = WorkSheetParser(
        source,
        reader.shared_strings,
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    # Lines are counted as Excel numbers them, so rows the sheet skips (<row r="1048576">
    # right after row 1) count towards the cap as the empty lines they are.
    line = 1
    try:
        for number, cells in parser.parse():
            if number < line:
                continue  # a row number repeated or out of order
            while line <= number:
                if line > max_lines:
                    yield line, None
                    return
                values = []
                if line == number:
                    width = min(MAX_COLUMNS, max((c["column"] for c in cells), default=0))
                    values = [None] * width
                    for cell in cells:
                        if cell["column"] <= width:
                            values[cell["column"] - 1] = cell["value"]
                yield line, values
                line += 1
    except FileRefused:
        raise
    except Exception:  # a damaged sheet part (bad XML, bad cell type)
        raise FileRefused(
            _("Dòng %(line)s: không đọc được tệp Excel (.xlsx).") % {"line": line}
        ) from None
    finally:
        source.close()
        reader.archive.close()


def read_lines(upload, *, kind: str, max_lines: int) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells as NFC text); past `max_lines` lines yield (line, None)
    once and stop, so the caller can refuse the file without reading further."""
    rows = _xlsx_rows(upload, max_lines) if kind == "xlsx" else _csv_rows(upload, max_lines)
    for line, cells in rows:
        yield line, None if cells is None else [cell_text(c) for c in cells]


# --- columns and validation -------------------------------------------------------------------


def parse_date(text: str) -> date:
    """dd/mm/yyyy (also d/m/yyyy and yyyy-mm-dd, which Excel writes for date cells)."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("ngày không hợp lệ (dd/mm/yyyy)"))


def parse_count(text: str) -> int:
    """A whole number >= 0, with "." or "," as thousands separators ("12.345")."""
    digits = text.replace(".", "").replace(",", "").replace(" ", "")
    if not digits.isdigit():
        raise ValueError(_("không phải số nguyên không âm"))
    return int(digits)


def parse_choice(words: dict[str, Any], message: str) -> Callable[[str], Any]:
    """A parser accepting the folded `words` (with or without diacritics)."""

    def parse(text: str):
        try:
            return words[fold(text)]
        except KeyError:
            raise ValueError(message) from None

    return parse


def model_max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


@dataclass
class ImportOutcome:
    """What an import reports back: the numbered faults, and why the whole file was refused
    (nothing was written then). Each import adds its own counters."""

    errors: ErrorReport = field(default_factory=ErrorReport)
    refusal: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


@dataclass(frozen=True)
class Column:
    """One column of an import: its header words, whether it must be filled, its limit from
    the model, and a parser that turns the text into a value or raises ValueError/
    ValidationError with the reason."""

    key: str
    label: str
    headers: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None
    parse: Callable[[str], Any] | None = None

    def clean(self, text: str) -> tuple[Any, str | None]:
        if not text:
            if self.required:
                return None, _("%(column)s: bắt buộc") % {"column": self.label}
            return ("" if self.parse is None else None), None
        if self.max_length is not None and len(text) > self.max_length:
            return None, _("%(column)s: dài %(n)s ký tự, tối đa %(max)s") % {
                "column": self.label,
                "n": len(text),
                "max": self.max_length,
            }
        if self.parse is None:
            return text, None
        try:
            return self.parse(text), None
        except ValidationError as exc:
            reason = "; ".join(exc.messages)
        except (TypeError, ValueError, ArithmeticError) as exc:
            reason = str(exc) or _("không hợp lệ")
        return None, _("%(column)s: %(reason)s (“%(value)s”)") % {
            "column": self.label,
            "reason": reason,
            "value": text[:60],
        }


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    errors: list[str]
    failed: set[str] = field(default_factory=set)  # keys of the columns that failed


@dataclass
class Table:
    """What `read_table` read: the good rows, the report of the bad ones, the count of
    non-empty data lines."""

    rows: list[Row]
    report: ErrorReport
    total: int


def _header_map(cells: list[str], columns: list[Column]) -> dict[int, Column] | None:
    by_word = {fold(h): c for c in columns for h in c.headers}
    found = {i: by_word[fold(cell)] for i, cell in enumerate(cells) if fold(cell) in by_word}
    return found or None


def too_many_rows(max_rows: int) -> str:
    return _("Tệp có hơn %(max)s dòng dữ liệu; tối đa %(max)s dòng mỗi tệp. Hãy chia tệp.") % {
        "max": number_format(max_rows, force_grouping=True)
    }


def check_cells(
    line: int,
    cells: list[str],
    mapping: dict[int, Column],
    columns: list[Column],
    check: Callable[[Row], None] | None,
) -> Row:
    """One data line through its columns' parsers and the import's `check`: the Row, with
    its values and its faults (TableStream's rules; lib.staging runs them on the lines SQL
    leaves to Python)."""
    row = Row(line, {c.key: ("" if c.parse is None else None) for c in columns}, [])
    for index, column in mapping.items():
        value, error = column.clean(cells[index] if index < len(cells) else "")
        row.values[column.key] = value
        if error:
            row.errors.append(error)
            row.failed.add(column.key)
    if check is not None:
        check(row)
    return row


class TableStream:
    """The rows of a file validated one at a time, for imports too big to hold (200,000
    results): iterate it once to get the good rows; the bad ones go to `report` and `total`
    counts the non-empty data lines read so far. Same rules as `read_table`, which is this
    stream collected into a list; a refusal (row cap, missing column, broken encoding)
    raises FileRefused in the middle of the iteration, so a caller writing as it reads
    runs the whole stream inside one transaction."""

    def __init__(
        self,
        upload,
        columns: list[Column],
        *,
        kind: str,
        max_rows: int,
        header: str = "required",
        check: Callable[[Row], None] | None = None,
    ):
        self.upload, self.columns, self.kind = upload, columns, kind
        self.max_rows, self.header, self.check = max_rows, header, check
        self.report = ErrorReport()
        self.total = 0  # non-empty data lines read so far

    def __iter__(self) -> Iterator[Row]:
        columns, report = self.columns, self.report
        mapping: dict[int, Column] | None = None
        for line, cells in read_lines(self.upload, kind=self.kind, max_lines=self.max_rows + 1):
            if cells is None:
                raise FileRefused(too_many_rows(self.max_rows), report)
            if mapping is None:
                found = _header_map(cells, columns)
                if found is None and self.header == "optional":
                    mapping = dict(enumerate(columns))  # no header row: this line is data
                else:
                    mapping = found or {}
                    present = set(mapping.values())
                    missing = [str(c.label) for c in columns if c.required and c not in present]
                    if missing:
                        raise FileRefused(
                            _("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)}, report
                        )
                    continue
            if not any(cells):
                continue
            self.total += 1
            row = check_cells(line, cells, mapping, columns, self.check)
            if row.errors:
                report.add(line, row.errors)
            else:
                yield row


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Lists of up to `size` rows from a stream, so a writer holds one batch at a time."""
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def read_table(
    upload,
    columns: list[Column],
    *,
    kind: str,
    max_rows: int,
    header: str = "required",
    check: Callable[[Row], None] | None = None,
) -> Table:
    """Read and validate every row. `header` is "required" (columns found by their header
    words, in any order), or "optional" (a first row naming the columns is used when
    present, else the columns are taken in order). `check(row)` adds the import's own
    checks (lookups, cross-field rules) to `row.errors`; it runs on every row, so a line
    reports all its faults at once, and finds None for a column that failed.

    Only the rows that passed are kept; a bad row leaves its line and messages in the
    report, so memory is bounded by `max_rows` good rows and the report's limit (an import
    past that streams with `TableStream` instead)."""
    stream = TableStream(upload, columns, kind=kind, max_rows=max_rows, header=header, check=check)
    rows = list(stream)
    return Table(rows=rows, report=stream.report, total=stream.total)


# --- writing ----------------------------------------------------------------------------------


def _reason(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [_("cơ sở dữ liệu không nhận dòng này")]


def refuse_if_rows_failed(table, mode: str) -> None:
    """All or nothing: a file with any bad line is refused before a row is written, with the
    report of every bad line (keep_good writes the good rows and reports the rest)."""
    if table.report and mode == ALL_OR_NOTHING:
        raise FileRefused(_("Tệp có dòng lỗi; không nhập dòng nào."), table.report)


def import_rows(
    upload, columns, *, kind, max_rows: int, mode: str, check, record, header="required"
) -> ErrorReport:
    """Read a file, refuse it (all or nothing with bad lines) or write its rows one by one
    with `record`; return the report of bad lines. FileRefused carries the report too."""
    table = read_table(upload, columns, kind=kind, max_rows=max_rows, header=header, check=check)
    refuse_if_rows_failed(table, mode)
    write_rows(table.rows, record, mode=mode, report=table.report)
    return table.report


def commune_from_code(row: Row, communes: dict, field: str = "commune_code") -> None:
    """Look the row's commune code up among the communes the importer may write to (keyed by
    5-digit code; a spreadsheet drops leading zeros), into `row.values["commune"]`."""
    code = row.values.get(field)
    if code:
        row.values["commune"] = communes.get(code.zfill(5))
        if row.values["commune"] is None:
            row.errors.append(_("Mã xã: xã %(code)s không thuộc địa bàn của bạn") % {"code": code})


def write_rows(
    rows: list[Row],
    write_one: Callable[[Row], Any],
    *,
    mode: str,
    report: ErrorReport,
    write_many: Callable[[list[Row]], Any] | None = None,
    batch_size: int = 500,
) -> int:
    """Save the rows; return how many were saved.

    keep_good: each batch (or, without `write_many`, each row) runs in its own savepoint; a
    batch the database refuses is retried row by row, so only the faulty rows are lost and
    each is reported by its line. all_or_nothing: one transaction, and the first refused row
    refuses the whole file (FileRefused) with nothing saved."""
    if mode == ALL_OR_NOTHING:
        failed: list = []
        try:
            with transaction.atomic():
                if write_many is not None:
                    for start in range(0, len(rows), batch_size):
                        write_many(rows[start : start + batch_size])
                else:
                    for row in rows:
                        failed[:] = [row]
                        write_one(row)
                    failed.clear()
        except (DatabaseError, ValidationError) as exc:
            if failed:
                report.add(failed[0].line, _reason(exc))
            else:
                report.add(0, _reason(exc))
            raise FileRefused(_("Tệp có dòng lỗi; không nhập dòng nào."), report) from None
        return len(rows)
    saved = 0
    for start in range(0, len(rows), batch_size if write_many else 1):
        chunk = rows[start : start + (batch_size if write_many else 1)]
        if write_many is not None:
            try:
                with transaction.atomic():
                    write_many(chunk)
                saved += len(chunk)
                continue
            except (DatabaseError, ValidationError):
                pass  # find the faulty rows one by one below
        for row in chunk:
            try:
                with transaction.atomic():
                    write_one(row)
            except (DatabaseError, ValidationError) as exc:
                report.add(row.line, _reason(exc))
            else:
                saved += 1
    return saved


# --- the upload handler ------------------------------------------------------------------------


class OversizedUpload(UploadedFile):
    """What a view receives for a file past UPLOAD_MAX_BYTES: its name and size, no content.
    Every feature checks `size` against its own (smaller) cap before reading."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(io.BytesIO(), name, content_type, size)


class UploadCapHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: once a file passes UPLOAD_MAX_BYTES its remaining chunks
    are dropped, so a 100 MB upload is never held in memory or written to disk."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            return None
        return raw_data

    def file_complete(self, file_size):
        if self.received > settings.UPLOAD_MAX_BYTES:
            return OversizedUpload(self.file_name, self.content_type, self.received)
        return None
