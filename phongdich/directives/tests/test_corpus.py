"""The extractor against the project's own corpus (phongdich/directives/corpus): floors on
the development part, on the held-out part (written before the extractor was changed and
never used to tune it) and checks that the corpus itself is sound.

The floors are what the extractor honestly reaches, rounded down; issue 16's goals are task
recall ≥ 0.9, lead accuracy ≥ 0.9, deadline accuracy ≥ 0.95, reference recall ≥ 0.95 and
task precision ≥ 0.8."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from phongdich.directives.extraction import extract_document, normalize_text
from phongdich.directives.extraction.score import score_corpus

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))

FLOORS = {
    "dev": {
        "task_recall": 0.95,
        "task_precision": 0.95,
        "lead_accuracy": 0.95,
        "deadline_accuracy": 0.95,
        "reference_recall": 0.95,
    },
    "heldout2": {
        "task_recall": 0.95,
        "task_precision": 0.95,
        "lead_accuracy": 0.95,
        "deadline_accuracy": 0.95,
        "reference_recall": 0.95,
    },
    "heldout": {
        "task_recall": 0.95,
        "task_precision": 0.9,
        "lead_accuracy": 0.95,
        "deadline_accuracy": 0.95,
        "reference_recall": 0.95,
    },
}


def _pairs(part):
    folder = CORPUS / part
    pairs = []
    for path in sorted(folder.glob("*.txt")):
        expected = json.loads((folder / "expected" / f"{path.stem}.json").read_text("utf-8"))
        pairs.append((extract_document(path.read_text("utf-8")), expected))
    return pairs


def _reached(figures):
    return {
        "task_recall": figures["tasks"]["recall"],
        "task_precision": figures["tasks"]["precision"],
        "lead_accuracy": figures["lead"]["accuracy"],
        "deadline_accuracy": figures["deadline"]["accuracy"],
        "reference_recall": figures["references"]["recall"],
    }


@pytest.mark.parametrize("part", sorted(FLOORS))
def test_it_meets_the_floors_on_the_corpus(part):
    figures = score_corpus(_pairs(part)).as_dict()
    reached = _reached(figures)
    below = {k: v for k, v in reached.items() if v < FLOORS[part][k]}
    assert not below, f"{part} below floor: {below} (all: {figures})"


def test_the_corpus_is_large_enough_and_covers_every_kind():
    parts = [entry["part"] for entry in MANIFEST.values()]
    assert len(MANIFEST) >= 40
    assert parts.count("heldout") >= 15
    kinds = {entry["kind"] for entry in MANIFEST.values()}
    assert {"ket_luan", "cong_van", "cong_dien", "chi_thi", "ke_hoach", "news"} <= kinds
    for name, entry in MANIFEST.items():
        assert entry["models"].strip(), name  # each says which real structure it models
        path = CORPUS / name
        assert path.exists(), name
        assert (path.parent / "expected" / f"{path.stem}.json").exists(), name


def test_every_document_is_in_the_manifest():
    files = {f"{p.parent.name}/{p.name}" for p in CORPUS.glob("*/*.txt")}
    assert files == set(MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_line_refs_point_at_a_line_of_the_normalised_text(name):
    """An annotation's "pN" is the N-th non-empty line; that line must exist and not be a
    header or a page's noise line (a mistake in hand counting shows here)."""
    path = CORPUS / name
    lines = [ln for ln in normalize_text(path.read_text("utf-8")).split("\n") if ln.strip()]
    expected = json.loads((path.parent / "expected" / f"{path.stem}.json").read_text("utf-8"))
    for task in expected["tasks"]:
        match = re.fullmatch(r"p(\d+)(?:#\d+)?", task["ref"])
        if match:
            line = lines[int(match.group(1)) - 1]
            assert line.rstrip().endswith((".", ";", "./.")), (task["ref"], line)


def test_directive_score_prints_figures_per_kind():
    out = StringIO()
    call_command(
        "directive_score",
        str(CORPUS / "dev"),
        str(CORPUS / "dev" / "expected"),
        manifest=str(CORPUS / "manifest.json"),
        json=True,
        stdout=out,
    )
    figures = json.loads(out.getvalue())
    assert figures["tasks"]["expected"] > 100
    assert {"news", "cong_van", "ket_luan"} <= set(figures["by_kind"])
    assert sum(v["documents"] for v in figures["by_kind"].values()) == len(
        list((CORPUS / "dev").glob("*.txt"))
    )


def test_directive_extract_prints_the_schema_for_a_news_page():
    out = StringIO()
    path = next(iter(sorted((CORPUS / "dev").glob("*news*.txt"))))
    call_command("directive_extract", str(path), stdout=out)
    result = json.loads(out.getvalue())
    assert list(result) == ["document", "references", "tasks"]
    assert result["tasks"] and all(t["lead"] for t in result["tasks"])
