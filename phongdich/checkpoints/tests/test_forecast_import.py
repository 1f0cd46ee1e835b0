"""The returnee forecast import: every field checked against the model, files refused
clearly, the good rows kept exactly as the user chose, the error report bounded."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from openpyxl import load_workbook

from phongdich.checkpoints import services
from phongdich.checkpoints.models import ForecastImport, ReturneeForecast
from phongdich.lib import imports
from phongdich.lib.tests.builders import UnreadableUpload, csv_bytes, expanding_xlsx
from phongdich.lib.xlsx import build_workbook

URL = reverse("checkpoints:forecasts")


def _soon():
    return (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y")


def _rows(world, long_name="Nguyễn " * 30):
    return [
        ["Nguyễn Văn An", "0912345678", "Hà Nội", world.commune_a.code, _soon()],
        [long_name, "0912345679", "Hà Nội", world.commune_a.code, _soon()],
        ["Lê Thị Cúc", "", "Bình Dương", world.commune_a.code, _soon()],
    ]


def _post(client, content, name="ds.xlsx", keep=True):
    upload = io.BytesIO(content)
    upload.name = name
    data = {"source_association": "Hội đồng hương TP.HCM", "file": upload}
    if keep:
        data["keep_good_rows"] = "on"
    return client.post(URL, data, follow=True)


def test_the_forecasts_page_opens(client, staff):
    client.force_login(staff.commune_worker_a)
    assert client.get(URL).status_code == 200


def test_an_over_long_name_is_reported_by_line_and_the_good_rows_are_kept(client, world, staff):
    client.force_login(staff.commune_worker_a)
    response = _post(client, build_workbook("ds", services.FORECAST_HEADER, _rows(world)))
    assert response.status_code == 200
    names = set(ReturneeForecast.objects.values_list("full_name", flat=True))
    assert names == {"Nguyễn Văn An", "Lê Thị Cúc"}
    batch = ForecastImport.objects.get()
    assert [e["line"] for e in batch.errors] == [3]
    assert "tối đa 120" in batch.errors[0]["errors"][0]
    assert "tối đa 120" in response.content.decode()


def test_all_or_nothing_refuses_the_whole_file(client, world, staff):
    client.force_login(staff.commune_worker_a)
    response = _post(
        client, build_workbook("ds", services.FORECAST_HEADER, _rows(world)), keep=False
    )
    assert response.status_code == 200
    assert ReturneeForecast.objects.count() == 0
    page = response.content.decode()
    assert "không nhập dòng nào" in page and "tối đa 120" in page


def test_the_page_shows_the_last_error_report_and_offers_it_as_xlsx(client, world, staff):
    client.force_login(staff.commune_worker_a)
    _post(client, build_workbook("ds", services.FORECAST_HEADER, _rows(world)))
    page = client.get(URL).content.decode()
    assert "tối đa 120" in page
    batch = ForecastImport.objects.get()
    download = client.get(reverse("checkpoints:forecast_errors", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [3]
    client.force_login(staff.commune_worker_b)
    assert client.get(reverse("checkpoints:forecast_errors", args=[batch.pk])).status_code == 404


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1258"])
def test_a_csv_in_any_encoding_excel_writes_keeps_the_vietnamese_names(
    client, world, staff, encoding
):
    rows = [["Nguyễn Thị Ánh Hường", "0912345678", "Hà Nội", world.commune_a.code, _soon()]]
    delimiter = "\t" if encoding == "utf-16" else ";"
    content = csv_bytes(services.FORECAST_HEADER, rows, encoding=encoding, delimiter=delimiter)
    client.force_login(staff.commune_worker_a)
    assert _post(client, content, name="ds.csv").status_code == 200
    assert list(ReturneeForecast.objects.values_list("full_name", flat=True)) == [
        "Nguyễn Thị Ánh Hường"
    ]


def test_a_small_xlsx_that_expands_to_200000_rows_is_refused_at_the_row_cap(client, world, staff):
    bad_row = ["Nguyễn Văn An", "0912345678", "Hà Nội", "99999", _soon()]
    content = expanding_xlsx(services.FORECAST_HEADER, bad_row, 200_000)
    assert len(content) < 200_000
    client.force_login(staff.commune_worker_a)
    response = _post(client, content)
    assert response.status_code == 200
    limit = number_format(services.FORECAST_MAX_ROWS, force_grouping=True)
    assert f"tối đa {limit} dòng" in response.content.decode()
    assert ReturneeForecast.objects.count() == 0
    batch = ForecastImport.objects.get()
    assert batch.refused and len(batch.errors) == imports.MAX_STORED_ERRORS
    assert batch.errors_total == services.FORECAST_MAX_ROWS


def test_a_file_over_the_size_cap_is_refused_without_reading_it(world, staff):
    upload = UnreadableUpload("ds.xlsx", services.FORECAST_MAX_BYTES + 1)
    with pytest.raises(imports.FileRefused) as refused:
        services.forecast_import(
            by=staff.commune_worker_a,
            upload=upload,
            source_association="Hội đồng hương",
            keep_good_rows=True,
        )
    assert "tối đa 5 MB" in refused.value.messages[0]
