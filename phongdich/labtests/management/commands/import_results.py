"""manage.py import_results FILE --user USERNAME [--all-or-nothing]

The same import as the page (`labtests.imports.import_results`), as the user who runs it
(their jurisdiction), the same line-numbered report, idempotent on the sample's code. The
file is read from disk without the page's 5 MB / 10,000-row cap (--max-rows bounds it).
"""

from phongdich.labtests.imports import import_results
from phongdich.lib.import_command import FileImportCommand


class Command(FileImportCommand):
    help = "Nhập kết quả xét nghiệm từ tệp CSV/XLSX (cùng quy tắc như trang nhập)."

    def run_import(self, **kwargs):
        return import_results(**kwargs)

    def summary(self, result) -> str:
        return (
            f"đã ghi {result.recorded}, đã có từ trước {result.unchanged}, "
            f"dòng lỗi {result.errors.total}"
        )
