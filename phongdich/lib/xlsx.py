"""Reading and writing XLSX files the way provincial offices exchange them."""

import io
from collections.abc import Callable, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A cell whose text starts with one of these is read as a formula (or the start of one) by
# Excel or LibreOffice when it is typed, pasted or saved as CSV: "formula injection".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def read_rows(content: bytes, *, max_lines: int = 1_048_576) -> Iterator[tuple[int, list]]:
    """Yield (line_number, cells) for the first sheet, streamed, at most `max_lines` lines.

    Uploads go through lib.imports instead (size and row caps, text cells, error report);
    this is for files the platform itself holds."""
    from .imports import _xlsx_rows, as_upload

    for line_number, cells in _xlsx_rows(as_upload("sheet.xlsx", content), max_lines):
        if cells is None:
            return
        yield line_number, cells


def _cell(sheet, value, *, font=None):
    """A cell that can only ever hold data. Text starting with a formula trigger is stored as
    a string with the "quote prefix" style, which is what Excel and LibreOffice save for a
    value typed with a leading apostrophe: shown as the exact text, kept as text when a user
    edits it, and never evaluated. The text itself is unchanged, so a re-import reads back
    what was written."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        # openpyxl reads a leading "=" as a formula on assignment; force plain text.
        cell.data_type = "s"
        cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def readable(value):
    """A structured value as the text a reader expects in a cell, never a Python repr:
    {"from": "a", "to": "b"} → "from: a; to: b", ["x", "y"] → "x, y". Other values pass
    through (numbers and dates stay typed cells)."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {readable(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(readable(item)) for item in value)
    if value is None:
        return ""
    return value


def build_workbook(title: str, header: list[str], rows: Iterable[Iterable]) -> bytes:
    """One sheet with a bold header; write-only so large exports stream.

    Every export goes through here, so every cell is written by `_cell`: no text from a
    citizen or an officer (a traveller's origin, a person's name) becomes a live formula.
    """
    return build_sheets([(title, header, rows)])


def build_sheets(sheets: Iterable[tuple[str, list[str], Iterable[Iterable]]]) -> bytes:
    """Several sheets, each (title, header, rows), written like `build_workbook`'s one.
    Sheet titles are cut to Excel's 31 characters and made unique."""
    buffer = io.BytesIO()
    write_sheets(buffer, sheets)
    return buffer.getvalue()


def write_sheets(
    target,
    sheets: Iterable[tuple[str, list[str], Iterable[Iterable]]],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> int:
    """Write the sheets to `target` (a path or a binary file) and return the rows written.

    openpyxl's write-only mode streams each row to a temporary file as it is appended, so
    with rows that come from a streamed query (`.iterator()`) memory stays flat whatever
    the number of rows; `progress(rows_so_far)` is called every `every` rows (a background
    export reports how far it got)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    written = 0
    for title, header, rows in sheets:
        name = _sheet_title(title, used)
        sheet = workbook.create_sheet(title=name)
        sheet.append([_cell(sheet, str(value), font=bold) for value in header])
        for row in rows:
            sheet.append([_cell(sheet, readable(value)) for value in row])
            written += 1
            if progress is not None and written % every == 0:
                progress(written)
    workbook.save(target)
    return written


def build_form(
    title: str,
    *,
    preamble: list[list[str]],
    header: list[str],
    rows: Iterable[Iterable],
    footer: list[list[str]] = (),
    widths: list[int] = (),
) -> bytes:
    """One sheet laid out like the paper a commune files: the heading block (issuing body on
    the left, the national motto on the right, the title, place and day) above the table,
    the signature block below, landscape, the table's header repeated on every printed
    page. Streams like `build_workbook` (write-only), every cell through `_cell`."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet = workbook.create_sheet(title=_sheet_title(title, set()))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    header_row = len(preamble) + 2
    sheet.print_title_rows = f"{header_row}:{header_row}"
    for line in preamble:
        sheet.append([_cell(sheet, value, font=bold) if value else None for value in line])
    sheet.append([])
    sheet.append([_cell(sheet, str(value), font=bold) for value in header])
    for row in rows:
        sheet.append([_cell(sheet, readable(value)) for value in row])
    if footer:
        sheet.append([])
        for line in footer:
            sheet.append([_cell(sheet, value) if value else None for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_title(title: str, used: set[str]) -> str:
    base = (str(title).translate(_SHEET_FORBIDDEN).strip() or "Sheet")[:31]
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
