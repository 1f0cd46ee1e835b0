"""manage.py import_contacts FILE --user USERNAME [--all-or-nothing]

The same import as the page (`tracing.imports.import_contacts`), run as the named account
(its jurisdiction): the same matching, the same line-numbered report, and re-running the
same file adds nothing."""

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError

from phongdich.accounts.models import User
from phongdich.lib import imports as lib_imports
from phongdich.tracing.imports import import_contacts


class Command(BaseCommand):
    help = "Nhập danh sách người tiếp xúc từ tệp CSV/XLSX (cùng quy tắc như trang nhập)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="tài khoản thực hiện (địa bàn của họ)")
        parser.add_argument("--all-or-nothing", action="store_true")
        parser.add_argument("--max-rows", type=int, default=100_000)

    def handle(self, *args, file, user, all_or_nothing, max_rows, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp {file}")
        by = User.objects.filter(username=user, is_active=True).first()
        if by is None or by.jurisdiction is None:
            raise CommandError(f"Không có tài khoản {user} có địa bàn")
        mode = lib_imports.ALL_OR_NOTHING if all_or_nothing else lib_imports.KEEP_GOOD
        with path.open("rb") as handle:
            upload = UploadedFile(handle, name=path.name, size=path.stat().st_size)
            result = import_contacts(
                by=by,
                upload=upload,
                mode=mode,
                max_rows=max_rows,
                max_bytes=path.stat().st_size + 1,
            )
        for entry in result.errors.entries:
            self.stdout.write(f"Dòng {entry['line']}: {'; '.join(entry['errors'])}")
        if result.refused:
            raise CommandError(result.refusal)
        self.stdout.write(
            f"Đã thêm {result.added} người tiếp xúc; {result.unchanged} đã có; {result.errors.total} dòng lỗi."
        )
