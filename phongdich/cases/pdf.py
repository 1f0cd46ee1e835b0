"""PDF documents: the recovery certificate (with a QR code) and the daily announcement."""

import segno
from django.template.loader import render_to_string

from phongdich.lib.certificates import qr_data_uri
from phongdich.lib.files import html_to_pdf

from .models import OccupationGroup, TreatmentPlace


def qr_svg(url: str) -> str:
    """The QR code as inline SVG markup (the F0 scans the officer's screen); made here, never
    by a third-party service, so the personal link leaves nowhere."""
    return segno.make(url, error="m").svg_inline(scale=5, border=2, title="QR")


def certificate_pdf(case, verify_url: str) -> bytes:
    html = render_to_string(
        "cases/pdf/certificate.html",
        {"case": case, "verify_url": verify_url, "qr": qr_data_uri(verify_url)},
    )
    return html_to_pdf(html)


def report_context(report) -> dict:
    """Figures with their labels, for the page and the PDF alike."""
    figures = report.figures or {}
    places = dict(TreatmentPlace.choices)
    occupations = dict(OccupationGroup.choices)
    return {
        "f": figures,
        "active_rows": [
            (places.get(k, k), v) for k, v in (figures.get("active_by_place") or {}).items()
        ],
        "occupation_rows": [
            (occupations.get(k, k), v) for k, v in (figures.get("new_by_occupation") or {}).items()
        ],
    }
