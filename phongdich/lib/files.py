"""Documents handed to users: PDF rendering and download responses."""

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF. Templates name the "DejaVu Sans" font, which renders Vietnamese."""
    # Imported here: weasyprint loads Pango at import, which every other page can do without.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def file_response(
    content: bytes, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return file_response(content, filename, XLSX)


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    return file_response(content, filename, "application/pdf", inline=inline)
