"""manage.py import_doses FILE --user USERNAME [--all-or-nothing]

The same import as the page (`vaccination.imports.import_doses`, the bulk path of
`vaccination.bulk`): every row matched by the people registry's rules as the user who runs
it (their jurisdiction), the same line-numbered report, and re-running the same file changes
nothing. The file is read from disk as an upload without the page's 5 MB / 10,000-row cap
(--max-rows bounds it instead). Progress goes to stderr, one line per batch of rows.
"""

import sys
import time

from phongdich.lib.import_command import FileImportCommand
from phongdich.vaccination.imports import import_doses

STAGES = {"read": "đọc tệp", "match": "đối chiếu người", "record": "ghi mũi tiêm"}


class Command(FileImportCommand):
    help = "Nhập mũi tiêm từ tệp CSV/XLSX (cùng quy tắc như trang nhập)."
    max_rows = 10_000_000

    def run_import(self, **kwargs):
        started = time.monotonic()

        def progress(stage: str, done: int, total: int) -> None:
            seconds = time.monotonic() - started
            of = f"/{total:,}" if total else ""
            sys.stderr.write(f"{STAGES[stage]}: {done:,}{of} dòng ({seconds:.0f} s)\n")

        return import_doses(progress=progress, **kwargs)

    def summary(self, result) -> str:
        return (
            f"đã ghi {result.recorded}, chờ xác định người {result.queued}, "
            f"đã có từ trước {result.unchanged}, dòng lỗi {result.errors.total}"
        )
