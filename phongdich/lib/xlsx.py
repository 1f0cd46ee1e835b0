"""Reading and writing XLSX files the way provincial offices exchange them."""

import io
from collections.abc import Iterable, Iterator

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font


def read_rows(content: bytes) -> Iterator[tuple[int, list]]:
    """Yield (line_number, cells) for the first sheet, read-only so big files stay cheap."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for line_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line_number, list(row)
    finally:
        workbook.close()


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
