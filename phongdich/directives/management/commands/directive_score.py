import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phongdich.directives.extraction import extract_document
from phongdich.directives.extraction.readers import SUPPORTED_SUFFIXES, read_document
from phongdich.directives.extraction.score import score_corpus

HEADLINE = (
    ("tasks", "recall"),
    ("tasks", "precision"),
    ("lead", "accuracy"),
    ("deadline", "accuracy"),
    ("references", "recall"),
)


class Command(BaseCommand):
    help = (
        "Score the extractor: DOCS_DIR holds directives, EXPECTED_DIR the annotations "
        "(<same stem>.json). Prints precision and recall per metric; with --manifest, also "
        "the main figures per kind of document."
    )

    def add_arguments(self, parser):
        parser.add_argument("docs_dir")
        parser.add_argument("expected_dir")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument(
            "--manifest",
            help="a corpus manifest.json ({'<part>/<file>': {'kind': ...}}) to group by kind",
        )

    def handle(self, *args, docs_dir, expected_dir, json=False, manifest=None, **options):
        docs, expected = Path(docs_dir), Path(expected_dir)
        kinds = _kinds(Path(manifest)) if manifest else {}
        pairs, by_kind = [], {}
        for path in sorted(docs.iterdir()):
            annotation = expected / f"{path.stem}.json"
            if path.suffix.lower() not in SUPPORTED_SUFFIXES or not annotation.exists():
                continue
            pair = (extract_document(read_document(path)), _load(annotation))
            pairs.append(pair)
            if manifest:
                by_kind.setdefault(kinds.get(path.name, "unknown"), []).append(pair)
        if not pairs:
            raise CommandError(f"no document in {docs} has an annotation in {expected}")
        figures = score_corpus(pairs).as_dict()
        per_kind = {
            kind: {"documents": len(group), **score_corpus(group).as_dict()}
            for kind, group in sorted(by_kind.items())
        }
        if json:
            self.stdout.write(_dumps({**figures, "by_kind": per_kind} if manifest else figures))
            return
        self.stdout.write(f"documents: {len(pairs)}")
        for metric, values in figures.items():
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            self.stdout.write(f"{metric:16} {shown}")
        if per_kind:
            header = " ".join(f"{m[:5]}_{f[:4]:>4}" for m, f in HEADLINE)
            self.stdout.write(f"\n{'kind':12} {'docs':>4} {header}")
            for kind, values in per_kind.items():
                shown = " ".join(f"{values[m][f]:>10.3f}" for m, f in HEADLINE)
                self.stdout.write(f"{kind:12} {values['documents']:>4} {shown}")


def _kinds(path: Path) -> dict[str, str]:
    """File name → kind of document, from a corpus manifest."""
    try:
        entries = _load(path)
    except (OSError, ValueError) as exc:
        raise CommandError(f"{path}: {exc}") from exc
    return {Path(name).name: entry.get("kind", "unknown") for name, entry in entries.items()}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
