"""Files the way offices' tools write them, for import tests and benchmarks."""

import io
import unicodedata
import zipfile
from xml.sax.saxutils import escape

from phongdich.lib.xlsx import build_workbook

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 writes Vietnamese: precomposed base letters (â, ê, ơ, ư...)
    followed by a combining tone mark where the code page has no precomposed letter."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def csv_bytes(header: list[str], rows: list[list], *, encoding: str, delimiter: str = ",") -> bytes:
    lines = [delimiter.join(str(c) for c in row) for row in [header, *rows]]
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "cp1258":
        return to_cp1258(text)
    if encoding == "utf-16":  # Excel "Unicode text": UTF-16 LE with a BOM
        return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    return text.encode(encoding)


def expanding_xlsx(header: list[str], row: list, count: int, *, dimension: str = "") -> bytes:
    """A small .xlsx whose sheet holds `count` copies of `row`: rows written without their
    "r" attribute are identical bytes, so they compress to almost nothing."""
    base = build_workbook("ds", header, [])

    def cells(values):
        return "".join(f'<c t="inlineStr"><is><t>{escape(str(v))}</t></is></c>' for v in values)

    body = f"<row>{cells(header)}</row>" + f"<row>{cells(row)}</row>" * count
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{body}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            target.writestr(info.filename, data, compresslevel=9)
    return out.getvalue()


class UnreadableUpload:
    """An upload that only knows its name and size: reading it fails the test."""

    def __init__(self, name: str, size: int):
        self.name, self.size = name, size

    def _fail(self, *args, **kwargs):
        raise AssertionError("the body of an oversized upload was read")

    read = chunks = seek = open = __iter__ = _fail
