"""The briefing as the three papers offices use: PDF to read and print, DOCX to edit in
Word before the meeting, XLSX for the tables. All three read the stored content only."""

import io
from datetime import date

from django.template.loader import render_to_string

from phongdich.lib.files import html_to_pdf
from phongdich.lib.xlsx import build_sheets


def _dates(content: dict) -> tuple[date, date]:
    return date.fromisoformat(content["day_from"]), date.fromisoformat(content["day_to"])


def period(content: dict) -> str:
    day_from, day_to = _dates(content)
    if day_from == day_to:
        return f"ngày {day_to:%d/%m/%Y}"
    return f"từ ngày {day_from:%d/%m/%Y} đến ngày {day_to:%d/%m/%Y}"


def _value(value) -> str:
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def shown(content: dict) -> dict:
    """The content with every number written the Vietnamese way (1.234; 12,5)."""
    return {
        **content,
        "period": period(content),
        "sections": [
            {
                **s,
                "lines": [[label, _value(v)] for label, v in s["lines"]],
                "tables": [
                    {**t, "rows": [[_value(v) for v in row] for row in t["rows"]]}
                    for t in s["tables"]
                ],
            }
            for s in content["sections"]
        ],
    }


def to_pdf(content: dict) -> bytes:
    return html_to_pdf(render_to_string("reports/pdf/briefing.html", {"b": shown(content)}))


def to_docx(content: dict) -> bytes:
    from docx import Document
    from docx.shared import Pt

    b = shown(content)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    doc.add_heading(f"BÁO CÁO NHANH TÌNH HÌNH DỊCH COVID-19 {b['unit'].upper()}", level=1)
    doc.add_paragraph(f"Số liệu {b['period']}.")
    for number, section in enumerate(b["sections"], start=1):
        doc.add_heading(f"{number}. {section['title']}", level=2)
        for label, value in section["lines"]:
            doc.add_paragraph(f"{label}: {value}", style="List Bullet")
        for note in section["notes"]:
            doc.add_paragraph(note)
        for table in section["tables"]:
            doc.add_paragraph(table["title"]).runs[0].bold = True
            grid = doc.add_table(rows=1, cols=len(table["columns"]))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, table["columns"], strict=True):
                cell.text = str(text)
            for row in table["rows"]:
                cells = grid.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = str(text)
    doc.add_paragraph(f"Lập lúc {b['drafted_at'].replace('T', ' ')}.")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_xlsx(content: dict) -> bytes:
    sheets = []
    summary = [
        (section["title"], label, value)
        for section in content["sections"]
        for label, value in section["lines"]
    ]
    sheets.append(("Tổng hợp", ["Mục", "Chỉ số", "Giá trị"], summary))
    for section in content["sections"]:
        for table in section["tables"]:
            sheets.append(
                (f"{section['title']} - {table['title']}", table["columns"], table["rows"])
            )
    return build_sheets(sheets)
