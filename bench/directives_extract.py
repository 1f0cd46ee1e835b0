"""Directive extraction throughput on the seed conclusions and the project's corpus, against
plain NFC normalisation.

Runs in-process (the extractor is pure Python, no database or server): each round extracts
every document once (the five seeds and the ~50 texts of phongdich/directives/corpus). Prints
documents/s and KB/s for both, the ratio extraction/baseline and the load average.
Usage: .venv/bin/python bench/directives_extract.py [--quick]
"""

import os
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from common import ROOT

sys.path.insert(0, str(ROOT))

from phongdich.directives.extraction import extract_document  # noqa: E402

SEEDS = Path(os.environ.get("PHONGDICH_SEEDS_DIR", ROOT.parent / "shared" / "seeds"))
CORPUS = ROOT / "phongdich" / "directives" / "corpus"
MAX_SECONDS = 120


def run(label, fn, texts, rounds):
    per_doc = []
    total_bytes = sum(len(t.encode()) for t in texts)
    started = time.perf_counter()
    done = 0
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            fn(text)
            per_doc.append(time.perf_counter() - t0)
        done += 1
        if time.perf_counter() - started > MAX_SECONDS:
            break
    seconds = time.perf_counter() - started
    docs = done * len(texts)
    per_doc.sort()
    p99 = per_doc[min(len(per_doc) - 1, int(len(per_doc) * 0.99))]
    print(
        f"{label:<28} {docs / seconds:10.1f} docs/s {done * total_bytes / 1024 / seconds:10.1f} KB/s"
        f"  p50 {statistics.median(per_doc) * 1000:8.3f} ms  p99 {p99 * 1000:8.3f} ms  n={docs}"
    )
    return docs / seconds


def main():
    quick = "--quick" in sys.argv
    rounds = 3 if quick else 30
    seeds = sorted(SEEDS.glob("*.txt"))
    corpus = sorted(CORPUS.glob("*/*.txt"))
    if not seeds:
        print(f"no seeds in {SEEDS} (measuring the corpus only)")
    texts = [p.read_text(encoding="utf-8") for p in seeds + corpus]
    size = sum(len(t.encode()) for t in texts) / 1024
    print(
        f"{len(seeds)} seed + {len(corpus)} corpus documents, {size:.1f} KB, {rounds} rounds; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    baseline = run(
        "baseline: NFC normalise", lambda t: unicodedata.normalize("NFC", t), texts, rounds
    )
    extraction = run("extract_document", extract_document, texts, rounds)
    print(
        f"ratio extraction/baseline throughput: {extraction / baseline:.5f} "
        f"(extraction is {baseline / extraction:,.0f}x slower than NFC); "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
