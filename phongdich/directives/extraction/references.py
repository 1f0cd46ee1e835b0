"""Citations of legal and administrative documents ("số hiệu văn bản").

A Vietnamese document number is a serial, optionally the year, then a symbol made of
upper-case codes for the kind of document and the issuing body:

    68/NQ-CP            serial / kind - body                (government bodies)
    23/2021/QĐ-TTg      serial / year / kind - body         (legal normative documents)
    30-KL/TU            serial - kind / body                (Party bodies)
    246/BCĐ-VP6         codes may end in digits
    6880/UBNDKGVX       some offices glue the codes together

References are returned as written (no "QD"→"QĐ" rewriting: the annotations keep the text's
own spelling, e.g. "05-CD/TU"), with stray spaces around separators removed.
"""

import re

# One code of a symbol: starts with an upper-case letter, may hold lower case ("TTg") and
# digits ("VP6"). Vietnamese capitals are covered by the explicit ranges below.
_UPPER = "A-ZĐÀ-ỸĂÂÊÔƠƯ"
_CODE = rf"[{_UPPER}][{_UPPER}a-zđ0-9]*"
_SEP = r"\s?[-/–]\s?"

REFERENCE_RE = re.compile(
    rf"(?<![\w/.-])"
    rf"(?P<serial>\d{{1,5}})"
    rf"(?:/(?P<year>(?:19|20)\d{{2}}))?"
    rf"(?P<symbol>{_SEP}{_CODE}(?:{_SEP}{_CODE})*)"
    rf"(?![\w])"
)


def clean_reference(raw: str) -> str:
    """Remove whitespace around separators and unify dashes: "05 - CĐ/TU" → "05-CĐ/TU"."""
    return re.sub(r"\s*([-/])\s*", r"\1", raw.replace("–", "-")).strip()


def _looks_like_symbol(symbol: str) -> bool:
    # A real symbol carries at least one code of two or more capitals (NQ, CT, TU, BYT...);
    # this keeps out things like "19-C" or "2-Ban".
    codes = re.split(r"[-/]", clean_reference(symbol).strip("-/"))
    return any(sum(ch.isupper() for ch in code) >= 2 for code in codes)


def iter_references(text: str):
    """Yield (reference, start, end) for every citation in text, in reading order."""
    for match in REFERENCE_RE.finditer(text):
        if not _looks_like_symbol(match.group("symbol")):
            continue
        yield clean_reference(match.group(0)), match.start(), match.end()


def find_references(text: str, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """Distinct references cited in text, sorted; exclude drops e.g. the document's own number."""
    skip = {clean_reference(ref) for ref in exclude if ref}
    return sorted({ref for ref, _, _ in iter_references(text)} - skip)
