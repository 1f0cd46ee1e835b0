"""manage.py import_doses FILE --user USERNAME [--all-or-nothing]

The same import as the page (`vaccination.imports.import_doses`): every row matched by
the people registry as the user who runs it (their jurisdiction), the same line-numbered
report, and re-running the same file changes nothing. The file is read from disk as an
upload without the page's 5 MB / 10,000-row cap (--max-rows bounds it instead).

Province scale (8 million doses through COPY into a staging table and set-based matching)
is not built yet: docs/vaccination.md, "Gaps".
"""

from phongdich.lib.import_command import FileImportCommand
from phongdich.vaccination.imports import import_doses


class Command(FileImportCommand):
    help = "Nhập mũi tiêm từ tệp CSV/XLSX (cùng quy tắc như trang nhập)."

    def run_import(self, **kwargs):
        return import_doses(**kwargs)

    def summary(self, result) -> str:
        return (
            f"đã ghi {result.recorded}, chờ xác định người {result.queued}, "
            f"đã có từ trước {result.unchanged}, dòng lỗi {result.errors.total}"
        )
