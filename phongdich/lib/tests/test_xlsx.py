import io

import pytest
from openpyxl import load_workbook

from phongdich.lib.xlsx import build_workbook

# Text a spreadsheet would otherwise read as a formula (or as the start of one).
FORMULA_LIKE = [
    '=HYPERLINK("http://example.invalid","bấm vào đây")',
    "=1+2",
    "+84912345678",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
]


def _cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    return [cell for row in workbook.worksheets[0].iter_rows() for cell in row]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_it_writes_formula_like_text_as_text(text):
    content = build_workbook("Xuất", ["=tiêu đề", "b"], [[text, "Hà Nội"]])
    cells = _cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    data = cells[2]
    # The exact text is kept (a re-import reads back what was typed) and marked as text, the
    # way Excel and LibreOffice store a value typed with a leading apostrophe.
    assert data.value == text and data.data_type == "s" and data.quotePrefix
    assert cells[0].value == "=tiêu đề" and cells[0].quotePrefix


def test_it_keeps_numbers_dates_and_plain_text_as_they_are():
    from datetime import date

    content = build_workbook("Xuất", ["a", "b", "c", "d"], [[12, 3.5, date(2022, 2, 21), "Hà Nội"]])
    number, decimal, day, text = _cells(content)[4:]
    assert number.value == 12 and number.data_type == "n"
    assert decimal.value == 3.5
    assert day.value.date() == date(2022, 2, 21)
    assert text.value == "Hà Nội" and not text.quotePrefix


def test_every_spreadsheet_export_goes_through_the_shared_writer():
    """The escaping lives in build_workbook only; a module writing its own workbook or CSV
    would bypass it. (geo/data/build_units.py writes the shipped unit list from a package's
    data, at development time, not users' text.)"""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {root / "lib" / "xlsx.py", root / "geo" / "data" / "build_units.py"}
    writers = ("Workbook(", "csv.writer", "csv.DictWriter", "xlsxwriter")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path not in allowed
        and any(w in path.read_text(encoding="utf-8") for w in writers)
    ]
    assert offenders == []


def test_structured_values_are_written_as_readable_text_not_reprs():
    import io

    from openpyxl import load_workbook

    from phongdich.lib.xlsx import build_workbook, readable

    assert readable({"status": ["open", "resolved"], "note": "gọi lại"}) == (
        "status: open, resolved; note: gọi lại"
    )
    assert readable(("Sở Y tế", "CDC")) == "Sở Y tế, CDC"
    assert readable(None) == "" and readable(7) == 7
    content = build_workbook("t", ["a", "b"], [[{"from": "x", "to": "y"}, ["u", "v"]]])
    cells = list(load_workbook(io.BytesIO(content)).active.values)[1]
    assert cells == ("from: x; to: y", "u, v")
    assert not any(str(c).startswith(("{", "[")) for c in cells)
