from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from phongdich.cases import imports, services
from phongdich.cases.models import Case
from phongdich.labtests.models import Sample
from phongdich.lib.imports import FileRefused
from phongdich.lib.tests.builders import UnreadableUpload, csv_bytes
from phongdich.lib.xlsx import build_workbook
from phongdich.people.models import Person
from phongdich.testing import PASSWORD

HEADER = [
    "Họ tên",
    "Năm sinh",
    "Số điện thoại",
    "Mã xã",
    "Loại XN",
    "Kết quả",
    "Thời điểm lấy mẫu",
    "Mã mẫu",
    "Nơi phát hiện",
]


def rows(world):
    return [
        [
            "Nguyễn Văn A",
            1980,
            "0912000001",
            world.commune_a.code,
            "PCR",
            "dương tính",
            "20/02/2022 08:00",
            "M1",
            "cộng đồng",
        ],
        [
            "",
            1981,
            "0912000002",
            world.commune_a.code,
            "PCR",
            "dương tính",
            "20/02/2022 08:00",
            "M2",
            "cộng đồng",
        ],  # no name
        [
            "Trần B",
            1982,
            "0912000003",
            world.commune_b.code,
            "PCR",
            "dương tính",
            "20/02/2022 08:00",
            "M3",
            "sàng lọc",
        ],  # another district's commune
        [
            "Lê C",
            1983,
            "0912000004",
            world.commune_a.code,
            "RAT",
            "âm tính",
            "20/02/2022 09:00",
            "M4",
            "sàng lọc",
        ],
    ]


def upload(client, world, staff, mode, content, name="ketqua.xlsx"):
    client.login(username=staff.commune_worker_a.username, password=PASSWORD)
    return client.post(
        reverse("cases:import"),
        {"file": SimpleUploadedFile(name, content), "mode": mode, "lab": "TTYT"},
    )


def test_it_keeps_good_rows_and_reports_bad_ones_by_line(client, world, staff):
    content = build_workbook("KQ", HEADER, rows(world))
    response = upload(client, world, staff, "keep_good", content)
    report = response.context["report"]
    assert [e["line"] for e in report.errors.entries] == [3, 4]
    assert "Họ tên: bắt buộc" in report.errors.entries[0]["errors"]
    assert report.recorded == 2
    assert Sample.objects.count() == 2 and Case.objects.count() == 1


def test_it_refuses_the_whole_file_when_asked(client, world, staff):
    content = build_workbook("KQ", HEADER, rows(world))
    response = upload(client, world, staff, "all_or_nothing", content)
    assert response.context["report"].refused
    assert Sample.objects.count() == 0


def test_it_reads_csv_and_counts_repeated_samples_once(client, world, staff):
    lines = [",".join(HEADER), ",".join(str(c) for c in rows(world)[0])]
    content = ("\n".join(lines) + "\n").encode("utf-8-sig")
    upload(client, world, staff, "keep_good", content, "kq.csv")
    response = upload(client, world, staff, "keep_good", content, "kq.csv")
    assert response.context["report"].duplicates == 1
    assert Sample.objects.count() == 1


def test_it_reports_missing_columns(client, world, staff):
    content = build_workbook("KQ", ["Tên"], [["x"]])
    response = upload(client, world, staff, "keep_good", content)
    assert response.context["report"].refused
    assert "Thiếu cột" in response.context["report"].refusal


def _row(world, name="Nguyễn Thị Ánh Hường", sample="M9", commune=None):
    commune = commune or world.commune_a
    return [
        name,
        1990,
        "0912000009",
        commune.code,
        "PCR",
        "dương tính",
        "20/02/2022 08:00",
        sample,
        "cộng đồng",
    ]


def _over_long_rows(world):
    return [
        _row(world, "Nguyễn Văn A", "M1"),
        _row(world, "Nguyễn " * 20 + "An", "M2"),  # 142 characters; Person.full_name holds 120
        _row(world, "Trần Văn B", "M" * 61),  # a lab's sample id holds 60
        _row(world, "Lê Thị C", "M4"),
    ]


def test_an_over_long_field_is_reported_by_line_and_the_good_rows_are_kept(client, world, staff):
    content = build_workbook("KQ", HEADER, _over_long_rows(world))
    response = upload(client, world, staff, "keep_good", content)
    assert response.status_code == 200
    assert set(Sample.objects.values_list("lab_sample_id", flat=True)) == {"M1", "M4"}
    report = response.context["report"]
    assert [e["line"] for e in report.errors.entries] == [3, 4]
    assert "Họ tên: dài 142 ký tự, tối đa 120" in report.errors.entries[0]["errors"]
    assert "Mã mẫu: dài 61 ký tự, tối đa 60" in report.errors.entries[1]["errors"]
    assert "tối đa 120" in response.content.decode()


def test_an_over_long_field_in_all_or_nothing_mode_refuses_the_whole_file(client, world, staff):
    content = build_workbook("KQ", HEADER, _over_long_rows(world))
    response = upload(client, world, staff, "all_or_nothing", content)
    assert response.status_code == 200
    assert response.context["report"].refused
    assert Sample.objects.count() == 0 and Person.objects.count() == 0


def test_a_database_error_on_one_row_keeps_the_others(client, world, staff):
    real = services.lab_result_record

    def flaky(**kwargs):
        if kwargs["sample_id"] == "M2":
            raise DatabaseError("value too long for type character varying(120)")
        return real(**kwargs)

    rows = [
        _row(world, "Nguyễn Văn A", "M1"),
        _row(world, "Phạm B", "M2"),
        _row(world, "Lê Thị C", "M3"),
    ]
    with mock.patch.object(services, "lab_result_record", flaky):
        response = upload(client, world, staff, "keep_good", build_workbook("KQ", HEADER, rows))
    assert response.status_code == 200
    assert set(Sample.objects.values_list("lab_sample_id", flat=True)) == {"M1", "M3"}
    assert [e["line"] for e in response.context["report"].errors.entries] == [3]


@pytest.mark.parametrize(
    "encoding, delimiter", [("cp1258", ","), ("utf-16", "\t"), ("utf-8-sig", ";"), ("utf-8", ",")]
)
def test_a_csv_keeps_the_vietnamese_names_in_every_encoding_excel_writes(
    client, world, staff, encoding, delimiter
):
    content = csv_bytes(HEADER, [_row(world)], encoding=encoding, delimiter=delimiter)
    response = upload(client, world, staff, "keep_good", content, "kq.csv")
    assert response.context["report"].recorded == 1
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Nguyễn Thị Ánh Hường"]


def test_a_csv_in_an_unknown_encoding_is_refused_with_what_to_do(client, world, staff):
    # TCVN3 (ABC) writes "Nguyễn Thị Ánh" as these bytes; read as Windows-1258 it is garbage.
    tcvn3_row = b"Nguy\xd6n Th\xde \xb8nh,1990,0912000009," + world.commune_a.code.encode()
    content = ",".join(HEADER).encode() + b"\r\n" + tcvn3_row + b",PCR,+,20/02/2022,M9,\r\n"
    response = upload(client, world, staff, "keep_good", content, "kq.csv")
    assert response.context["report"].refused
    assert "CSV UTF-8" in response.context["report"].refusal
    assert Person.objects.count() == 0


def test_a_file_over_the_size_cap_is_refused_without_reading_it(world, staff):
    with pytest.raises(FileRefused) as refused:
        imports.import_lab_results(
            by=staff.commune_worker_a,
            upload=UnreadableUpload("kq.csv", imports.MAX_BYTES + 1),
            lab="TTYT",
            mode="keep_good",
        )
    assert "tối đa 5 MB" in refused.value.messages[0]
