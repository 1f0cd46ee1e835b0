"""manage.py import_doses FILE --user USERNAME [--all-or-nothing]

The same import as the page (`vaccination.imports.import_doses`): every row matched by
the people registry as the user who runs it (their jurisdiction), the same line-numbered
report, and re-running the same file changes nothing. The file is read from disk as an
upload without the page's 5 MB / 10,000-row cap (--max-rows bounds it instead).

Province scale (8 million doses through COPY into a staging table and set-based matching)
is not built yet: docs/vaccination.md, "Gaps".
"""

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError

from phongdich.accounts.models import User
from phongdich.lib import imports as lib_imports
from phongdich.vaccination.imports import import_doses


class Command(BaseCommand):
    help = "Nhập mũi tiêm từ tệp CSV/XLSX (cùng quy tắc như trang nhập)."

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
                result = import_doses(
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
            f"đã ghi {result.recorded}, chờ xác định người {result.queued}, "
            f"đã có từ trước {result.unchanged}, dòng lỗi {result.errors.total}"
        )
