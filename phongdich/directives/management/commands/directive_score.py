import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phongdich.directives.extraction import extract_document
from phongdich.directives.extraction.readers import SUPPORTED_SUFFIXES, read_document
from phongdich.directives.extraction.score import score_corpus


class Command(BaseCommand):
    help = (
        "Score the extractor: DOCS_DIR holds directives, EXPECTED_DIR the annotations "
        "(<same stem>.json). Prints precision and recall per metric."
    )

    def add_arguments(self, parser):
        parser.add_argument("docs_dir")
        parser.add_argument("expected_dir")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, docs_dir, expected_dir, json=False, **options):
        docs, expected = Path(docs_dir), Path(expected_dir)
        pairs = []
        for path in sorted(docs.iterdir()):
            annotation = expected / f"{path.stem}.json"
            if path.suffix.lower() not in SUPPORTED_SUFFIXES or not annotation.exists():
                continue
            pairs.append(
                (
                    extract_document(read_document(path)),
                    _load(annotation),
                )
            )
        if not pairs:
            raise CommandError(f"no document in {docs} has an annotation in {expected}")
        figures = score_corpus(pairs).as_dict()
        if json:
            self.stdout.write(_dumps(figures))
            return
        self.stdout.write(f"documents: {len(pairs)}")
        for metric, values in figures.items():
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            self.stdout.write(f"{metric:16} {shown}")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
