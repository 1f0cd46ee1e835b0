"""Reading and writing XLSX files the way provincial offices exchange them."""

import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.styles import Font


def read_rows(content: bytes, *, max_lines: int = 1_048_576) -> Iterator[tuple[int, list]]:
    """Yield (line_number, cells) for the first sheet, streamed, at most `max_lines` lines.

    Uploads go through lib.imports instead (size and row caps, text cells, error report);
    this is for files the platform itself holds."""
    from .imports import _xlsx_rows, as_upload

    for line_number, cells in _xlsx_rows(as_upload("sheet.xlsx", content), max_lines):
        if cells is None:
            return
        yield line_number, cells


def build_workbook(title: str, header: list[str], rows: Iterable[Iterable]) -> bytes:
    """One sheet with a bold header; write-only so large exports stream."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
