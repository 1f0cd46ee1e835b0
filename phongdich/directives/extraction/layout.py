"""Paragraphs of a normalised directive and the landmarks between its parts.

A conclusion reads: header (kind, number, place and date), an opening paragraph about the
meeting ending "... kết luận:", an assessment, the numbered instructions, closing sentences,
"Nơi nhận:" with the recipients, and the signature block. Landmarks are found from the
language of these parts, so the order of the recipients and the signature may vary.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Marker:
    """A numbering marker opening a paragraph: its kind, label and nesting level."""

    kind: str
    label: str
    level: int
    length: int


# Numbering schemes, outermost first. Level decides nesting: a marker closes every open item
# whose level is not lower than its own.
_ROMAN_RE = re.compile(r"^(?P<label>X{0,2}(?:IX|IV|V?I{0,3}))\s*[.)/]\s+(?=\S)")
_DECIMAL_RE = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2})+)\.?\)?\s+(?=\S)")
_ARABIC_RE = re.compile(r"^(?P<label>\d{1,2})\s*[.)/]\s*(?=[^\d\s/])")
_LETTER_RE = re.compile(r"^(?P<label>[a-zđ])\s*[.)]\s+(?=\S)")
_DASH_RE = re.compile(r"^[-–—•·]\s*(?=\S)")
_PLUS_RE = re.compile(r"^[+*]\s*(?=\S)")

RECIPIENTS_RE = re.compile(r"^(?:Nơi nhận|NƠI NHẬN)\s*:?", re.I)


def split_paragraphs(text: str) -> list[Paragraph]:
    paragraphs = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = offset + line.index(stripped)
            paragraphs.append(Paragraph(len(paragraphs), start, start + len(stripped), stripped))
        offset += len(line) + 1
    return paragraphs


# "Một là, …", "Hai là: …": ordinal items, numbered like "1.", "2.".
_ORDINALS = ("Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười")
_ORDINAL_RE = re.compile(rf"^(?P<word>{'|'.join(_ORDINALS)})\s+là\s*[,:.]\s*(?=\S)")


def marker_of(text: str) -> Marker | None:
    match = _ROMAN_RE.match(text)
    if match and match.group("label"):
        return Marker("roman", match.group("label"), 0, match.end())
    match = _DECIMAL_RE.match(text)
    if match:
        label = match.group("label")
        return Marker("decimal", label, label.count(".") + 1, match.end())
    match = _ARABIC_RE.match(text)
    if match:
        return Marker("arabic", match.group("label"), 1, match.end())
    match = _ORDINAL_RE.match(text)
    if match:
        return Marker("arabic", str(_ORDINALS.index(match.group("word")) + 1), 1, match.end())
    match = _LETTER_RE.match(text)
    if match:
        return Marker("letter", match.group("label"), 4, match.end())
    match = _DASH_RE.match(text)
    if match:
        return Marker("dash", "-", 5, match.end())
    match = _PLUS_RE.match(text)
    if match:
        return Marker("plus", "+", 6, match.end())
    return None


def is_upper_line(text: str) -> bool:
    """A line in capitals: a header, a title of the signer ("CHÁNH VĂN PHÒNG")."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) / len(letters) > 0.85


def is_person_name(text: str) -> bool:
    """A signer's name: two to five capitalised words, nothing else."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(
        w[0].isupper() and w[1:].islower() and w.isalpha() for w in words
    )


# Sentences after the instructions that only close the document.
CLOSING_RE = re.compile(
    r"^(?:Trong quá trình (?:tổ chức )?(?:thực hiện|triển khai)|\(?(?:Thông báo|Kết luận|Văn bản)"
    r" này thay thế)|thông báo (?:kết luận|ý kiến)|(?:các )?nội dung (?:chỉ đạo )?(?:nêu )?trên"
    r"|[Nn]ội dung Kết luận này|(?:theo dõi|đôn đốc)[^.]{0,80}(?:việc )?thực hiện",
)
# A closing sentence that assigns the follow-up of the document itself.
FOLLOW_UP_RE = re.compile(
    r"(?:theo dõi|đôn đốc|kiểm tra)[^.]{0,80}(?:việc )?(?:thực hiện|triển khai)"
    r"(?:[^.]{0,40}(?:[Kk]ết luận|[Tt]hông báo|[Cc]hỉ thị|văn bản))?",
)
