import pytest

from phongdich.directives.extraction import extract_document
from phongdich.directives.extraction.readers import UnsupportedDocument, read_document
from phongdich.lib.tests.builders import to_cp1258


def test_it_reads_docx_paragraphs_and_tables_in_order(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "Số: 12/KL-UBND"
    header.cell(0, 1).text = "Ninh Bình, ngày 10 tháng 11 năm 2021"
    document.add_paragraph("KẾT LUẬN")
    document.add_paragraph(
        "Ngày 09/11/2021, Ban Chỉ đạo tỉnh họp về công tác phòng, chống dịch. Sau khi nghe báo "
        "cáo và ý kiến của các thành viên dự họp, đồng chí Chủ tịch UBND tỉnh kết luận như sau:"
    )
    document.add_paragraph("1. Giao Sở Y tế hoàn thành kế hoạch tiêm chủng trước ngày 15/11/2021.")
    path = tmp_path / "kl.docx"
    document.save(path)

    result = extract_document(read_document(path))

    assert result["document"]["number"] == "12/KL-UBND"
    assert result["document"]["issued_date"] == "2021-11-10"
    assert result["document"]["kind"] == "ket_luan"
    (task,) = result["tasks"]
    assert (task["ref"], task["lead"], task["deadline"]) == ("1", ["Sở Y tế"], "2021-11-15")


def test_it_reads_utf8_text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Thường trực Tỉnh ủy", encoding="utf-8")
    assert read_document(path) == "Thường trực Tỉnh ủy"


@pytest.mark.parametrize("encoding", ["cp1258", "utf-16", "utf-8-sig"])
def test_it_reads_text_in_the_encodings_windows_writes(tmp_path, encoding):
    # 32 bytes in Windows-1258: an even length, which UTF-16 would also "decode" into garbage.
    text = "Thường trực Tỉnh ủy yêu cầu"
    content = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    path = tmp_path / "a.txt"
    path.write_bytes(content)
    assert read_document(path) == text


def test_it_refuses_text_in_an_unknown_encoding(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"Th\xad\xeang tr\xadc")  # TCVN3, read as Windows-1258 it is garbage
    with pytest.raises(UnsupportedDocument, match="UTF-8"):
        read_document(path)


def test_it_refuses_unknown_formats(tmp_path):
    with pytest.raises(UnsupportedDocument):
        read_document(tmp_path / "a.odt")
