from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from phongdich.cases.models import Case, LabResult
from phongdich.lib.xlsx import build_workbook
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
    assert [e.line for e in report.errors] == [3, 4]
    assert "Thiếu họ tên" in report.errors[0].messages
    assert report.recorded == 2
    assert LabResult.objects.count() == 2 and Case.objects.count() == 1


def test_it_refuses_the_whole_file_when_asked(client, world, staff):
    content = build_workbook("KQ", HEADER, rows(world))
    response = upload(client, world, staff, "all_or_nothing", content)
    assert response.context["report"].refused
    assert LabResult.objects.count() == 0


def test_it_reads_csv_and_counts_repeated_samples_once(client, world, staff):
    lines = [",".join(HEADER), ",".join(str(c) for c in rows(world)[0])]
    content = ("\n".join(lines) + "\n").encode("utf-8-sig")
    upload(client, world, staff, "keep_good", content, "kq.csv")
    response = upload(client, world, staff, "keep_good", content, "kq.csv")
    assert response.context["report"].duplicates == 1
    assert LabResult.objects.count() == 1


def test_it_reports_missing_columns(client, world, staff):
    content = build_workbook("KQ", ["Tên"], [["x"]])
    response = upload(client, world, staff, "keep_good", content)
    assert response.context["report"].refused
    assert "Thiếu cột" in response.context["report"].errors[0].messages[0]
