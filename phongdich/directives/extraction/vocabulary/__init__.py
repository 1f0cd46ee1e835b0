"""The extractor's vocabulary, kept as data (one entry a line, '#' starts a comment).

Rules about the language of directives that are lists of words or patterns live here, so a
clerk's report ("the system did not see that Sở X was asked to …") is fixed by adding a line,
not by editing code. Files are read once per process.
"""

import re
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def entries(name: str) -> tuple[str, ...]:
    """The non-comment lines of vocabulary/<name>.txt, stripped, in file order."""
    lines = (HERE / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return tuple(s for line in lines if (s := line.strip()) and not s.startswith("#"))


@cache
def pattern(name: str, *, flags: int = 0, whole: bool = False) -> re.Pattern[str]:
    """One regex of the file's patterns as alternatives, matched at the start (or whole)."""
    body = "|".join(f"(?:{p})" for p in entries(name))
    return re.compile(rf"^(?:{body})" + (r"\s*$" if whole else ""), flags)
