from phongdich.lib.files import html_to_pdf, pdf_response, xlsx_response


def test_pdf_renders_vietnamese_and_is_served_inline():
    content = html_to_pdf('<p style="font-family: \'DejaVu Sans\'">Địa điểm cách ly y tế</p>')
    assert content.startswith(b"%PDF")
    response = pdf_response(content, "bien-bao.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bien-bao.pdf"'


def test_xlsx_is_an_attachment():
    response = xlsx_response(b"PK", "bao-cao.xlsx")
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao.xlsx"'
