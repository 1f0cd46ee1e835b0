"""Documents handed to users: PDF rendering and download responses."""

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF. Templates name the "DejaVu Sans" font, which renders Vietnamese."""
    # Imported here: weasyprint loads Pango at import, which every other page can do without.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


# What a file name may not carry into a header or onto a disk: control characters (CR/LF
# would end the header) are dropped; quotes and backslashes (would end the quoted string),
# path separators and what Windows refuses in names become "_".
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE = re.compile(r'["\\/;:*?<>|]')
_LONGEST_NAME = 150


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return folded.encode("ascii", "replace").decode("ascii").replace("?", "_")


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition value for a name that may come from user data (RFC 6266):
    a plain ASCII `filename` every browser reads, and `filename*` (RFC 5987, UTF-8,
    percent-encoded) with the Vietnamese name when it differs."""
    name = unicodedata.normalize("NFC", str(filename))
    name = (
        _UNSAFE.sub("_", _CONTROL.sub("", name)).strip().lstrip(".")[:_LONGEST_NAME].strip()
        or "download"
    )
    disposition = "inline" if inline else "attachment"
    fallback = _ascii(name)
    if fallback == name:
        return f'{disposition}; filename="{name}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(
    content: bytes, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return file_response(content, filename, XLSX)


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    return file_response(content, filename, "application/pdf", inline=inline)
