"""Text clean-up shared by every extraction step.

Directives reach us as pasted text, .docx or .pdf. Whatever the source, the extractor works on
one normalised string: NFC, no markdown bold/italic markers, no page-number lines, and page
breaks that cut a sentence in two joined back together. Task spans point into this string.
"""

import re
import unicodedata

from phongdich.lib.text import fold  # noqa: F401 (the extraction package's folding key)

# Markers a copy from a rich-text editor leaves behind ("**KẾT LUẬN**", "(*Hai tỷ đồng*)").
# Between two words a bold marker separated two lines that lost their line break.
_GLUED_BOLD_RE = re.compile(r"(?<=\S)\*\*(?=[^\s*])")
_MARKER_RE = re.compile(r"\*{1,3}")
# A line holding only a page number ("2", "- 3 -", "Trang 4") is layout, not text.
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:-\s*)?(?:trang\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?\s*$", re.I
)
# A line ending like this closes a sentence, a heading or a list entry; anything else may have
# been cut by a page or column break.
_LETTER_ITEM_RE = re.compile(r"^[a-zđ]\s?\)\s+\S")
_CLOSED_LINE_RE = re.compile(r"[.;:!?…”\"')\]]\s*$")

# Older Vietnamese typing puts the tone mark on the second vowel of "oa", "oe", "uy"
# ("hoà", "uỷ"); the modern convention, used by the annotations, puts it on the first.
_OLD_TONE = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_OLD_TONE_RE = re.compile("|".join(_OLD_TONE) + r"(?=\W|$)")


def normalize_text(text: str) -> str:
    """Return the canonical form of a directive's text (see module docstring)."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = text.replace("\t", " ").replace("\ufeff", "")
    text = _GLUED_BOLD_RE.sub("\n", text)
    text = _MARKER_RE.sub("", text)
    lines = [re.sub(r"[ ]{2,}", " ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if not _PAGE_NUMBER_RE.match(line)]
    out: list[str] = []
    pending_blank = False
    for line in lines:
        if not line:
            pending_blank = bool(out)
            continue
        if out and _continues(out[-1], line):
            out[-1] = out[-1] + " " + line
        else:
            if pending_blank:
                out.append("")
            out.append(line)
        pending_blank = False
    return "\n".join(out).strip() + "\n"


def _continues(previous: str, line: str) -> bool:
    """A line starting in lower case after an unfinished line is the rest of that sentence."""
    if _CLOSED_LINE_RE.search(previous):
        return False
    first = line[0]
    if _LETTER_ITEM_RE.match(line):
        return False  # "a) ..." opens a lettered item even after a heading without a colon
    return first.islower() or (first.isdigit() and not re.match(r"\d{1,2}[.)]\s", line))


def modern_tone(text: str) -> str:
    """Move tone marks to the modern position so "Khánh Hoà" matches "Khánh Hòa"."""
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONE[m.group(0)], text)


# Abbreviations offices use interchangeably with the full names.
_ABBREVIATIONS = {
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "mttq": "mặt trận tổ quốc",
    "bcđ": "ban chỉ đạo",
    "bcs": "ban cán sự",
    "tu": "tỉnh ủy",
    "vptu": "văn phòng tỉnh ủy",
}


def name_key(name: str) -> str:
    """Comparison key for unit and person names as written in different documents."""
    key = modern_tone(unicodedata.normalize("NFC", name)).casefold()
    key = re.sub(r"[^\w\s]", " ", key)
    words = [_ABBREVIATIONS.get(word, word) for word in key.split()]
    return " ".join(" ".join(words).split())
