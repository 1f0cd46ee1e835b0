"""Document metadata: kind, issuer, province, dates, number, signer, replaced documents."""

import re
from datetime import date

from .dates import DATE_RE, parse_date
from .layout import (
    RECIPIENTS_RE,
    Paragraph,
    is_person_name,
    is_upper_line,
)
from .normalize import modern_tone
from .references import clean_reference, iter_references

# Kinds of document by the title word of the header, most specific first.
KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("thong_bao_ket_luan", re.compile(r"^THÔNG BÁO\b.*\n?.*\bKẾT LUẬN\b", re.I | re.S)),
    ("ket_luan", re.compile(r"^KẾT LUẬN\b", re.I)),
    ("chi_thi", re.compile(r"^CHỈ THỊ\b", re.I)),
    ("cong_dien", re.compile(r"^CÔNG ĐIỆN\b", re.I)),
    ("ke_hoach", re.compile(r"^KẾ HOẠCH\b", re.I)),
    ("quyet_dinh", re.compile(r"^QUYẾT ĐỊNH\b", re.I)),
    ("nghi_quyet", re.compile(r"^NGHỊ QUYẾT\b", re.I)),
    ("thong_bao", re.compile(r"^THÔNG BÁO\b", re.I)),
    ("cong_van", re.compile(r"^(?:CÔNG VĂN|V/v)\b", re.I)),
]

# "Số: 123/KL-UBND", "Số:  /KL- BCD" (the serial is left blank until the document is issued).
# Party documents often omit the colon ("Số 99-TB/VPTU"); without it, insist on a serial
# followed by "-" or "/" so a header line starting "Số ..." in prose is not read as one.
NUMBER_RE = re.compile(
    r"\bSố\s*(?::\s*|\s+(?=\d+\s*[-/]))(?P<number>(?:[0-9A-Za-zĐđ]+|\s*[-/]\s*)+)"
)
# "Ninh Bình, ngày 12 tháng 11 năm 2021" (day and month may be blank before issue).
PLACE_DATE_RE = re.compile(
    r"(?P<text>[A-ZĐÀ-Ỹ][\wÀ-ỹ .]{1,40},\s*ngày\s*(?P<d>\d{0,2})\s*tháng\s*(?P<m>\d{0,2})"
    r"\s*năm\s*(?P<y>\d{4}))"
)
# "..., Thường trực Tỉnh ủy đã kết luận và chỉ đạo như sau:" names who concluded.
CONCLUDED_RE = re.compile(
    r"(?:đã\s+)?(?:kết luận|chỉ đạo|thống nhất)(?:\s+và\s+(?:chỉ đạo|giao nhiệm vụ))?"
    r"(?:\s+như sau)?\s*:"
)
_TITLE_SEGMENT_RE = re.compile(
    r"^(?:[Đđ]ồng chí\s+)?(?:Trưởng|Phó|Chủ tịch|Bí thư|Giám đốc|Ủy viên|Uỷ viên|Chánh)\b"
)
_MEETING_WORDS_RE = re.compile(r"họp|hội nghị|giao ban|làm việc|buổi|phiên", re.I)
_SIGNER_TITLE_RE = re.compile(
    r"^(?:T/M|TM\.?|T/L|TL\.?|K/T|KT\.?|Q\.|CHỦ TỊCH|PHÓ|BÍ THƯ|CHÁNH|GIÁM ĐỐC|TRƯỞNG|"
    r"THỦ TƯỚNG|BỘ TRƯỞNG|THƯỜNG TRỰC|BAN|VĂN PHÒNG|UỶ BAN|ỦY BAN)"
)
_REPLACES_RE = re.compile(r"thay thế[^.;)]*", re.I)

PROVINCES = (
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cần Thơ",
    "Cao Bằng",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Hồ Chí Minh",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
)
_PROVINCE_RE = re.compile(
    r"(?P<prefix>\btỉnh\s+|\bTỉnh\s+|\bthành phố\s+|\bTP\.?\s*)?(?P<name>"
    + "|".join(re.escape(p) for p in sorted(PROVINCES, key=len, reverse=True))
    + r")(?![\wÀ-ỹ])"
)


# The title in capitals, even when the subtitle was joined onto its line.
_TITLE_KET_LUAN_RE = re.compile(r"^THÔNG BÁO\s+KẾT LUẬN\b")


def document_kind(header_lines: list[str]) -> str:
    if any(_TITLE_KET_LUAN_RE.match(line) for line in header_lines):
        return "thong_bao_ket_luan"
    for i, line in enumerate(header_lines):
        window = "\n".join(header_lines[i : i + 2])
        for kind, pattern in KINDS:
            if pattern.match(window) and (kind != "thong_bao_ket_luan" or len(line) < 40):
                return kind
    return "unknown"


def document_number(header: str) -> str | None:
    match = NUMBER_RE.search(header)
    if not match:
        return None
    number = re.sub(r"\s+", "", match.group("number")).strip("-")
    return number or None


def issued(header: str) -> tuple[date | None, str | None]:
    match = PLACE_DATE_RE.search(header)
    if not match:
        return None, None
    text = " ".join(match.group("text").split())
    if match.group("d") and match.group("m"):
        try:
            return date(int(match.group("y")), int(match.group("m")), int(match.group("d"))), text
        except ValueError:
            return None, text
    return None, text


def issuer_from_preamble(preamble: str) -> str | None:
    """Who concluded: the subject of "... kết luận:" in the opening paragraph."""
    for match in CONCLUDED_RE.finditer(preamble):
        before = preamble[: match.start()].rstrip()
        sentence = re.split(r"[.:;]\s", before)[-1]
        segments = [s.strip() for s in sentence.split(",")]
        taken = [segments.pop()]
        # "đồng chí Chủ tịch UBND tỉnh, Trưởng Ban Chỉ đạo kết luận": titles chain backwards.
        while (
            segments and _TITLE_SEGMENT_RE.match(taken[0]) and _TITLE_SEGMENT_RE.match(segments[-1])
        ):
            taken.insert(0, segments.pop())
        issuer = ", ".join(taken)
        issuer = re.sub(r"^(?:và\s+)?(?:[Đđ]ồng chí|sau đó)\s+", "", issuer).strip()
        if 1 <= len(issuer.split()) <= 20 and issuer[:1].isupper():
            return issuer
    return None


def meeting_date(preamble_paragraphs: list[str], *, strict: bool = False) -> date | None:
    """The date of the meeting: the first full date of the paragraph that tells of it.

    strict: only such a paragraph counts (a news page's own date is not a meeting's)."""
    candidates = [p for p in preamble_paragraphs if _MEETING_WORDS_RE.search(p)]
    for paragraph in candidates + ([] if strict else preamble_paragraphs):
        for match in DATE_RE.finditer(paragraph):
            # A date right after a document number dates that document, not the meeting.
            if re.search(r"\d+[-/][A-ZĐ][^\s]*,?\s*(?:ngày\s*)?$", paragraph[: match.start()]):
                continue
            found = parse_date(match.group(0))
            if found:
                return found
    return None


def province(text: str, header: str) -> str | None:
    """The province the document belongs to, weighed from where its name appears."""
    scores: dict[str, int] = {}
    folded = modern_tone(text)
    header_place = PLACE_DATE_RE.search(header)
    for match in _PROVINCE_RE.finditer(folded):
        name = match.group("name")
        weight = (
            3 if match.group("prefix") and match.group("prefix").strip().lower() == "tỉnh" else 1
        )
        scores[name] = scores.get(name, 0) + weight
    if header_place:
        for name in PROVINCES:
            if header_place.group("text").startswith(name):
                scores[name] = scores.get(name, 0) + 10
    if not scores:
        return None
    best = max(scores, key=lambda k: scores[k])
    ranked = sorted(scores.values(), reverse=True)
    if scores[best] < 2 or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return None
    return best


def signer(paragraphs: list[Paragraph], body_end: int) -> tuple[str | None, str | None]:
    """Signer and title from the block after the instructions ("T/L BAN THƯỜNG VỤ ...")."""
    tail = [p.text for p in paragraphs[body_end:]]
    for i, line in enumerate(tail):
        if not (is_upper_line(line) and _SIGNER_TITLE_RE.match(line)):
            continue
        titles = [line]
        j = i + 1
        while j < len(tail) and is_upper_line(tail[j]) and not is_person_name(tail[j]):
            titles.append(tail[j])
            j += 1
        while j < len(tail) and re.match(r"^\(?(?:Đã ký|đã ký|Ký|ký)", tail[j]):
            j += 1
        if j < len(tail) and is_person_name(tail[j]):
            return tail[j], " ".join(" ".join(titles).split())
    return None, None


def replaced_documents(text: str) -> list[str]:
    """Documents this one replaces ("Thông báo này thay thế Thông báo số 123-TB/VPTU ...")."""
    found: list[str] = []
    for match in _REPLACES_RE.finditer(text):
        for ref, _, _ in iter_references(match.group(0)):
            if ref not in found:
                found.append(ref)
    return found


def body_bounds_header(paragraphs: list[Paragraph]) -> int:
    """Index of the recipients list, or len(paragraphs)."""
    for p in paragraphs:
        if RECIPIENTS_RE.match(p.text):
            return p.index
    return len(paragraphs)


__all__ = [
    "clean_reference",
    "document_kind",
    "document_number",
    "issued",
    "issuer_from_preamble",
    "meeting_date",
    "province",
    "replaced_documents",
    "signer",
]


# News of a directive names it in prose: "Chiều 14/12, UBND tỉnh có Công văn số 7512/UBND-VX
# về việc …", "Tối 02/8, Chủ tịch UBND tỉnh ký ban hành Công điện số 15/CĐ-UBND …".
_ANNOUNCED_RE = re.compile(
    r"(?:(?P<when>(?:Sáng|Chiều|Tối|Đêm|Trưa|Ngày)\s+(?:ngày\s+)?\d{1,2}\s*/\s*\d{1,2}"
    r"(?:\s*/\s*\d{4})?)\s*,\s*)?"
    r"(?P<issuer>(?:(?:Phó )?Chủ tịch\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Ban Chỉ đạo|Sở|"
    r"Tỉnh ủy|Ban Thường vụ|Thường trực)[^,.;]{0,60}?)\s+(?:đã\s+|vừa\s+)?"
    r"(?:có|ban hành|ký ban hành|ký|phát hành)\s+"
    r"(?P<kind>Công văn|Công điện|Chỉ thị|Kế hoạch|Văn bản|Thông báo|Quyết định)\s+(?:khẩn\s+)?"
    r"số\s+(?P<number>\d[^\s,;]*)"
)
_ANNOUNCED_KINDS = {
    "Công văn": "cong_van",
    "Văn bản": "cong_van",
    "Công điện": "cong_dien",
    "Chỉ thị": "chi_thi",
    "Kế hoạch": "ke_hoach",
    "Thông báo": "thong_bao",
    "Quyết định": "quyet_dinh",
}


def announced_document(paragraphs: list[str]) -> dict | None:
    """The directive a news item reports, from its prose: kind, number, issuer, date."""
    for i, text in enumerate(paragraphs[:15]):
        match = _ANNOUNCED_RE.search(text)
        if not match:
            continue
        number = clean_reference(match.group("number")).rstrip(".")
        when = match.group("when")
        issued_on = None
        if when:
            # The year is the page's: the first full date printed above the item.
            year = next((found.year for p in paragraphs[: i + 1] if (found := parse_date(p))), None)
            reference = date(year, 1, 1) if year else None
            issued_on = parse_date(when, reference)
        return {
            "kind": _ANNOUNCED_KINDS[match.group("kind")],
            "number": number,
            "issuer": " ".join(match.group("issuer").split()),
            "issued_date": issued_on,
            "issued_date_text": " ".join(when.split()) if when else None,
        }
    return None
