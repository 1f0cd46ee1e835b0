"""manage.py import_contacts FILE --user USERNAME [--all-or-nothing]

The same import as the page (`tracing.imports.import_contacts`), run as the named account
(its jurisdiction): the same matching, the same line-numbered report, and re-running the
same file adds nothing."""

from phongdich.lib.import_command import FileImportCommand
from phongdich.tracing.imports import import_contacts


class Command(FileImportCommand):
    help = "Nhập danh sách người tiếp xúc từ tệp CSV/XLSX (cùng quy tắc như trang nhập)."
    max_rows = 100_000
    line_label = "Dòng"

    def refused_message(self, result) -> str:
        return result.refusal

    def run_import(self, **kwargs):
        return import_contacts(**kwargs)

    def summary(self, result) -> str:
        return (
            f"Đã thêm {result.added} người tiếp xúc; {result.unchanged} đã có; "
            f"{result.errors.total} dòng lỗi."
        )
