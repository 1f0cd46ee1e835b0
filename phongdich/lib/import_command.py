"""The one shape of an import run from the command line (`manage.py import_doses`,
`import_results`, `import_contacts`): the page's own import function, run as a named account
(its jurisdiction), the same line-numbered report, without the page's upload caps
(`--max-rows` bounds the file instead)."""

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError

from phongdich.lib import imports as lib_imports


class FileImportCommand(BaseCommand):
    max_rows = 1_000_000
    line_label = "dòng"

    def run_import(self, **kwargs):
        """The page's import function: run_import(by=, upload=, mode=, max_rows=, max_bytes=)."""
        raise NotImplementedError

    def summary(self, result) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="tài khoản thực hiện (địa bàn của họ)")
        parser.add_argument("--all-or-nothing", action="store_true")
        parser.add_argument("--max-rows", type=int, default=self.max_rows)

    def handle(self, *args, file, user, all_or_nothing, max_rows, **options):
        from phongdich.accounts.models import User

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
                result = self.run_import(
                    by=by,
                    upload=upload,
                    mode=mode,
                    max_rows=max_rows,
                    max_bytes=path.stat().st_size + 1,
                )
            except lib_imports.FileRefused as exc:
                raise CommandError(exc.messages[0]) from None
        for entry in result.errors.entries:
            self.stdout.write(f"{self.line_label} {entry['line']}: {'; '.join(entry['errors'])}")
        if result.refused:
            raise CommandError(self.refused_message(result))
        self.stdout.write(self.summary(result))

    def refused_message(self, result) -> str:
        return f"Tệp bị từ chối, không ghi dòng nào: {result.refusal}"
