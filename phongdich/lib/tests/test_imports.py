import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import load_workbook

from phongdich.lib import imports
from phongdich.lib.tests.builders import UnreadableUpload, expanding_xlsx, to_cp1258


def test_check_upload_refuses_a_file_over_the_cap_without_reading_it():
    with pytest.raises(imports.FileRefused, match="tối đa 5 MB"):
        imports.check_upload(
            UnreadableUpload("a.csv", 5 * 1024 * 1024 + 1), max_bytes=5 * 1024 * 1024
        )


def test_check_upload_reads_the_format_from_the_bytes_not_the_name():
    xlsx = expanding_xlsx(["a"], ["b"], 1)
    assert imports.check_upload(imports.as_upload("a.csv", xlsx), max_bytes=10**6) == "xlsx"
    with pytest.raises(imports.FileRefused, match=".xls"):
        imports.check_upload(
            imports.as_upload("a.xlsx", b"\xd0\xcf\x11\xe0" + b"0" * 10), max_bytes=10**6
        )


def test_the_upload_handler_drops_the_bytes_past_the_cap(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    handler = imports.UploadCapHandler()
    handler.new_file("file", "big.csv", "text/csv", None)
    assert handler.receive_data_chunk(b"x" * 600, 0) == b"x" * 600
    assert handler.receive_data_chunk(b"x" * 600, 600) is None
    assert handler.receive_data_chunk(b"x" * 600, 1200) is None
    upload = handler.file_complete(1800)
    assert upload.size == 1800 and upload.read() == b""


def test_a_page_refuses_an_upload_past_the_cap_by_its_size(client, staff, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(staff.commune_worker_a)
    big = SimpleUploadedFile("ds.xlsx", b"PK\x03\x04" + b"0" * (6 * 1024 * 1024))
    response = client.post(
        reverse("checkpoints:forecasts"), {"source_association": "Hội", "file": big}
    )
    assert response.status_code == 200
    assert "tối đa 5 MB" in response.content.decode()


@pytest.mark.parametrize(
    "content, encoding",
    [
        ("Nguyễn Thị Ánh".encode("utf-8-sig"), "utf-8-sig"),
        ("Nguyễn Thị Ánh".encode(), "utf-8"),
        ("Nguyễn".encode()[:-2], "utf-8"),  # a sample cut inside a character
        (to_cp1258("Nguyễn Thị Ánh, Hường"), "cp1258"),
        ("\ufeffHọ tên".encode("utf-16-le"), "utf-16"),
        ("Ho ten;SĐT".encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_it_detects_the_encodings_excel_writes(content, encoding):
    assert imports.detect_encoding(content, complete=False) == encoding


@pytest.mark.parametrize(
    "content",
    [
        b"Nguy\xd6n Th\xde \xb8nh",  # TCVN3: "NguyÖn" read as Windows-1258
        b"Nguy\xeanx\xa9\xae",  # accented capital and symbols inside words
        "Nguyễn".encode()[:-2] + b"abc",  # UTF-8 broken in the middle
    ],
)
def test_it_refuses_text_it_cannot_read_for_sure(content):
    with pytest.raises(imports.FileRefused, match="CSV UTF-8"):
        imports.detect_encoding(content, complete=True)


def test_a_windows_1258_csv_comes_out_in_nfc():
    content = to_cp1258("Họ tên\r\nNguyễn Thị Ánh Hường\r\n")
    lines = list(imports.read_lines(imports.as_upload("a.csv", content), kind="csv", max_lines=10))
    assert lines == [(1, ["Họ tên"]), (2, ["Nguyễn Thị Ánh Hường"])]


def test_a_csv_keeps_quoted_line_breaks_and_stops_at_the_cap():
    content = b'a,b\r\n"one\r\ntwo",2\r\n' + b"x,1\r\n" * 50
    lines = list(imports.read_lines(imports.as_upload("a.csv", content), kind="csv", max_lines=5))
    assert lines[1] == (2, ["one two", "2"])  # cells are NFC with white space collapsed
    assert lines[-1] == (6, None) and len(lines) == 6


def test_an_xlsx_jumping_to_row_1048576_stops_at_the_cap():
    content = expanding_xlsx(["a"], ["b"], 1)
    content = _replace_sheet(
        content,
        '<row r="1"><c t="inlineStr"><is><t>a</t></is></c></row>'
        '<row r="1048576"><c t="inlineStr"><is><t>z</t></is></c></row>',
        dimension="A1:XFD1048576",
    )
    lines = list(
        imports.read_lines(imports.as_upload("a.xlsx", content), kind="xlsx", max_lines=100)
    )
    assert len(lines) == 101 and lines[-1] == (101, None)
    assert lines[1] == (2, [])


def test_an_xlsx_declaring_16384_columns_gives_only_its_cells():
    content = _replace_sheet(
        expanding_xlsx(["a"], ["b"], 1),
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>',
        dimension="A1:XFD3",
    )
    assert list(
        imports.read_lines(imports.as_upload("a.xlsx", content), kind="xlsx", max_lines=9)
    ) == [(1, ["a"])]


def _replace_sheet(content, rows, dimension):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
                ).encode()
            target.writestr(info, data)
    return out.getvalue()


def test_the_error_report_is_bounded_and_counts_everything():
    report = imports.ErrorReport()
    for line in range(2, 5002):
        report.add(line, ["Họ tên: bắt buộc"] * 50)
    assert report.total == 5000 and len(report.entries) == imports.MAX_STORED_ERRORS
    assert len(report.entries[0]["errors"]) == imports.MAX_MESSAGES_PER_ROW
    sheet = load_workbook(io.BytesIO(report.workbook())).worksheets[0]
    assert sheet.max_row == imports.MAX_STORED_ERRORS + 1


def test_a_column_reports_its_limit_and_its_parse_error():
    column = imports.Column("n", "Số", max_length=3, parse=imports.parse_count)
    assert column.clean("12") == (12, None)
    assert column.clean("12345")[1] == "Số: dài 5 ký tự, tối đa 3"
    assert column.clean("ab")[1] == "Số: không phải số nguyên không âm (“ab”)"


@pytest.mark.django_db
def test_write_rows_keeps_the_good_rows_of_a_batch_the_database_refuses():
    saved = []

    def write_one(row):
        if row.line == 3:
            raise IntegrityError("duplicate key")
        saved.append(row.line)

    def write_many(rows):
        for row in rows:
            write_one(row)

    rows = [imports.Row(line, {}, []) for line in range(2, 7)]
    report = imports.ErrorReport()
    count = imports.write_rows(
        rows, write_one, write_many=write_many, mode=imports.KEEP_GOOD, report=report, batch_size=3
    )
    assert count == 4 and [e["line"] for e in report.entries] == [3]
    assert sorted(set(saved)) == [2, 4, 5, 6]
    with pytest.raises(imports.FileRefused):
        imports.write_rows(rows, write_one, mode=imports.ALL_OR_NOTHING, report=report)


def test_xlsx_read_rows_streams_the_first_sheet_with_its_cell_types():
    from phongdich.lib.xlsx import build_workbook, read_rows

    content = build_workbook("a", ["Mã", "Dân số"], [["14755", 777], ["14809", 888.5]])
    assert list(read_rows(content)) == [
        (1, ["Mã", "Dân số"]),
        (2, ["14755", 777]),
        (3, ["14809", 888.5]),
    ]
    assert len(list(read_rows(content, max_lines=2))) == 2
