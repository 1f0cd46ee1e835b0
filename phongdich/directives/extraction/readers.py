"""Read a directive file into text: .txt, .docx (python-docx) or text-based .pdf (pdfplumber).

Scanned PDFs have no text layer; they come back empty and the caller should say so rather
than guess. Nothing here touches the network.
"""

from pathlib import Path

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf")


class UnsupportedDocument(ValueError):
    """The file's format cannot be read."""


def read_txt(path: str | Path) -> str:
    """UTF-8, UTF-16 with a BOM or Windows-1258 (lib.imports.decode_text); a file in any
    other encoding is refused rather than read as garbled text."""
    # Imported here: the extraction package is also run by scripts without Django set up,
    # for the other formats.
    from phongdich.lib.imports import FileRefused, decode_text

    try:
        return decode_text(Path(path).read_bytes())
    except FileRefused as exc:
        raise UnsupportedDocument(exc.messages[0]) from None


def read_docx(path: str | Path) -> str:
    """Paragraphs and table cells in document order (headers and signatures sit in tables)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    lines.extend(p.text for p in cell.paragraphs)
                    lines.append("")
    return "\n".join(lines)


def read_pdf(path: str | Path) -> str:
    """Page texts joined by blank lines; normalize_text() rejoins sentences cut by a page."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n\n".join(page.extract_text() or "" for page in pdf.pages)


def read_document(path: str | Path) -> str:
    """Text of a directive file, chosen by suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in (".txt", ".md"):
        return read_txt(path)
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".pdf":
        return read_pdf(path)
    raise UnsupportedDocument(f"unsupported document format: {suffix or 'no suffix'}")
