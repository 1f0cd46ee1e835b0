import json

from django.core.management.base import BaseCommand, CommandError

from phongdich.directives.extraction import extract_document, public_view
from phongdich.directives.extraction.readers import UnsupportedDocument, read_document


class Command(BaseCommand):
    help = "Print the extraction of one directive (.txt, .docx, .pdf) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--with-spans",
            action="store_true",
            help="also print the private keys (span, lead_is_group) the UI uses",
        )

    def handle(self, *args, file, with_spans=False, **options):
        try:
            text = read_document(file)
        except (OSError, UnsupportedDocument) as exc:
            raise CommandError(str(exc)) from exc
        if not text.strip():
            raise CommandError(f"{file}: no text (a scanned PDF needs OCR first)")
        extraction = extract_document(text)
        result = extraction if with_spans else public_view(extraction)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
