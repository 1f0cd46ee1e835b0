"""manage.py import_results FILE --user USERNAME [--all-or-nothing]

The same import as the page (`labtests.imports.import_results`), as the user who runs it
(their jurisdiction), the same line-numbered report, idempotent on the sample's code. The
file is read from disk without the page's 5 MB / 10,000-row cap (--max-rows bounds it).
"""

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError

from phongdich.accounts.models import User
from phongdich.labtests.imports import import_results
from phongdich.lib import imports as lib_imports


class Command(BaseCommand):
    help = "Nhập kết quả xét nghiệm từ tệp CSV/XLSX (cùng quy tắc như trang nhập)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="tài khoản thực hiện (địa bàn của họ)")
        parser.add_argument("--all-or-nothing", action="store_true")
        parser.add_argument("--max-rows", type=int, default=1_000_000)

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
            try:
                result = import_results(
                    by=by,
                    upload=upload,
                    mode=mode,
                    max_rows=max_rows,
                    max_bytes=path.stat().st_size + 1,
                )
            except lib_imports.FileRefused as exc:
                raise CommandError(exc.messages[0]) from None
        for entry in result.errors.entries:
            self.stdout.write(f"dòng {entry['line']}: {'; '.join(entry['errors'])}")
        if result.refused:
            raise CommandError(f"Tệp bị từ chối, không ghi dòng nào: {result.refusal}")
        self.stdout.write(
            f"đã ghi {result.recorded}, đã có từ trước {result.unchanged}, "
            f"dòng lỗi {result.errors.total}"
        )
