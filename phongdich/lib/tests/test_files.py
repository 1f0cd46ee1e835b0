import re

from phongdich.lib.files import content_disposition, html_to_pdf, pdf_response, xlsx_response


def test_pdf_renders_vietnamese_and_is_served_inline():
    content = html_to_pdf("<p style=\"font-family: 'DejaVu Sans'\">Địa điểm cách ly y tế</p>")
    assert content.startswith(b"%PDF")
    response = pdf_response(content, "bien-bao.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="bien-bao.pdf"'


def test_xlsx_is_an_attachment():
    response = xlsx_response(b"PK", "bao-cao.xlsx")
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao.xlsx"'


def test_it_keeps_plain_names_as_they_are():
    response = xlsx_response(b"PK", "so-lieu-38-20220115.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="so-lieu-38-20220115.xlsx"'


def test_it_encodes_vietnamese_names_per_rfc_6266():
    header = content_disposition("giấy khỏi bệnh Đông Thọ.pdf")
    assert header == (
        'attachment; filename="giay khoi benh Dong Tho.pdf"; '
        "filename*=UTF-8''gi%E1%BA%A5y%20kh%E1%BB%8Fi%20b%E1%BB%87nh%20%C4%90%C3%B4ng%20Th%E1%BB%8D.pdf"
    )


def test_it_strips_what_could_break_the_header_or_the_path():
    shape = re.compile(r"inline; filename=\"([^\"]*)\"(; filename\*=UTF-8''[A-Za-z0-9%._~-]+)?")
    for hostile in (
        'a"b.pdf',
        "a\r\nSet-Cookie: x=1.pdf",
        "a\x00b.pdf",
        "../../etc/passwd",
        "a\\b;c.pdf",
        'Bản tin "số 1"\n.pdf',
    ):
        header = pdf_response(b"%PDF", hostile)["Content-Disposition"]
        assert not set("\r\n\x00") & set(header), header
        match = shape.fullmatch(header)
        assert match, header
        assert not set("/\\;:") & set(match.group(1)), header
        assert not match.group(1).startswith("."), header


def test_an_empty_name_still_downloads():
    assert content_disposition("\r\n") == 'attachment; filename="download"'
