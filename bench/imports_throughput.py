"""Import throughput and peak memory for large CSV files, through lib.imports.

Measures, in one run (PostgreSQL for the end-to-end part):
  - reading a large CSV (200,000 rows, about 13 MB, on disk as Django keeps an upload past
    2.5 MB): lib.imports.read_lines streaming it, against the baseline the old imports used,
    reading the whole file, decoding it and parsing it into a list;
  - validating it: read_table with the forecast columns at the forecast cap (10,000 rows);
  - the whole forecast import of 10,000 rows (read, validate, commune lookup, savepointed
    bulk inserts, matching, audit) against a bare bulk_create of the same rows.
Peak memory is Python's own allocations (tracemalloc) during a second run of each step. Prints rows/s, peak
MB and the ratios; never asserts a verdict.

    .venv/bin/python bench/imports_throughput.py [--quick]
"""

import argparse
import csv
import io
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import django_setup  # noqa: E402

DB_URL = "postgres://postgres@127.0.0.1:5432/pd_bench_imports"
HEADER = ["họ và tên", "số điện thoại", "nơi đi", "mã xã nơi đến", "ngày dự kiến về"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
GIVEN = ["An", "Bình", "Cúc", "Dũng", "Giang", "Hường", "Khánh", "Linh", "Minh", "Ánh"]


def csv_file(rows: int, commune: str) -> Path:
    expected = (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")
    path = Path(tempfile.mkstemp(suffix=".csv")[1])
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(rows):
            name = f"{FAMILY[i % 10]} Thị {GIVEN[(i // 10) % 10]} {i}"
            writer.writerow(
                [name, f"09{i % 100_000_000:08d}", "Thành phố Hồ Chí Minh", commune, expected]
            )
    return path


def measure(label, fn, reset=lambda: None):
    """Time one run, then measure peak memory on a second run under tracemalloc (which
    slows Python down several times, so it never runs while the clock does)."""
    reset()
    started = time.perf_counter()
    rows = fn()
    seconds = time.perf_counter() - started
    reset()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    print(
        f"{label:<52} {rows / seconds:10,.0f} rows/s  peak {peak:7.1f} MB"
        f"  ({rows:,} rows, {seconds:.2f} s)"
    )
    return rows / seconds, peak


class DiskUpload:
    """The file object a view gets for a large upload (TemporaryUploadedFile), minus Django."""

    def __init__(self, path: Path):
        self.path, self.name, self.size = path, path.name, path.stat().st_size
        self.file = path.open("rb")

    def read(self, n=-1):
        return self.file.read(n)

    def seek(self, offset, whence=0):
        return self.file.seek(offset, whence)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    big_rows = 50_000 if args.quick else 200_000

    django_setup(DB_URL)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from phongdich import testing
    from phongdich.accounts.models import Role, User
    from phongdich.checkpoints import services
    from phongdich.checkpoints.models import ForecastImport, ReturneeForecast
    from phongdich.geo.models import AdminUnit
    from phongdich.lib import imports
    from phongdich.lib.text import name_key

    if not AdminUnit.objects.filter(code="38").exists():
        testing.make_world()
    commune = AdminUnit.objects.get(code="14755")
    officer = User.objects.filter(username="bench.import").first() or testing.make_user(
        "bench.import", Role.COMMUNE_HEALTH_WORKER, commune
    )

    big = csv_file(big_rows, commune.code)
    print(f"large CSV: {big_rows:,} rows, {big.stat().st_size / 1024 / 1024:.1f} MB")

    def whole_file():
        with big.open("rb") as fh:
            text = fh.read().decode("utf-8-sig")
        return len(list(csv.reader(io.StringIO(text)))) - 1

    def streamed():
        upload = DiskUpload(big)
        count = sum(1 for _ in imports.read_lines(upload, kind="csv", max_lines=big_rows + 1)) - 1
        upload.file.close()
        return count

    base_rate, base_peak = measure("baseline: read whole, decode, csv.reader list", whole_file)
    rate, peak = measure("lib.imports.read_lines (streamed, NFC cells)", streamed)
    print(
        f"ratio streamed/baseline: throughput {rate / base_rate:.2f}, peak memory {peak / base_peak:.3f}"
    )

    capped = csv_file(services.FORECAST_MAX_ROWS, commune.code)

    def validate():
        upload = DiskUpload(capped)
        table = imports.read_table(
            upload,
            services.forecast_columns(),
            kind="csv",
            max_rows=services.FORECAST_MAX_ROWS,
            header="optional",
        )
        upload.file.close()
        return len(table.rows)

    measure(f"read_table, forecast columns ({services.FORECAST_MAX_ROWS:,} rows)", validate)

    def reset():
        ReturneeForecast.objects.all().delete()
        ForecastImport.objects.all().delete()

    def full_import():
        upload = DiskUpload(capped)
        batch = services.forecast_import(
            by=officer, upload=upload, source_association="Bench", keep_good_rows=True
        )
        upload.file.close()
        return batch.rows_imported

    def bare_insert():
        batch = ForecastImport.objects.create(source_association="Bench", file_name="x", by=officer)
        with capped.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        expected = date.today() + timedelta(days=3)
        ReturneeForecast.objects.bulk_create(
            [
                ReturneeForecast(
                    batch=batch,
                    full_name=r[0],
                    name_key=name_key(r[0]),
                    phone="+84" + r[1][1:],
                    origin_text=r[2],
                    destination_commune=commune,
                    expected_date=expected,
                    source_association="Bench",
                )
                for r in rows
            ],
            batch_size=500,
        )
        return len(rows)

    base_rate, base_peak = measure("baseline: csv.reader + bare bulk_create", bare_insert, reset)
    rate, peak = measure("forecast_import end to end (PostgreSQL)", full_import, reset)
    print(
        f"ratio import/baseline: throughput {rate / base_rate:.2f}, peak memory {peak / base_peak:.2f}"
    )
    big.unlink()
    capped.unlink()


if __name__ == "__main__":
    main()
