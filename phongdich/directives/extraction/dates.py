"""Vietnamese date expressions and deadline phrases.

Absolute dates come as "15/11/2021", "15-11-2021" or "ngày 15 tháng 11 năm 2021". Deadlines
are phrases around them ("trước ngày 15/11/2021", "đến hết ngày 28/02/2022", "trong tháng
11/2021", "trong vòng 01 tuần"). A deadline resolves to the last day the work may be done:
"trước ngày D" and "đến hết ngày D" both give D, because that is how offices read and report
them; a month, quarter or year gives its last day; a relative span is counted from a reference
date (the meeting date, else the issue date) and needs one.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

# "15/11/2021", "15-11-2021", "15.11.2021" (spaces around separators happen in scans).
_NUMERIC = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
# "15 tháng 11 năm 2021"
_WORDS = r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4})"
# "15/11" with the year left implicit; not followed by another "/digits".
_NO_YEAR = r"(?P<d3>\d{1,2})\s*/\s*(?P<m3>\d{1,2})(?!\s*[/.-]?\s*\d)"
DATE_PATTERN = rf"(?:{_NUMERIC}|{_WORDS}|{_NO_YEAR})"
DATE_RE = re.compile(rf"(?<!\d){DATE_PATTERN}")

# Small cardinal words written out in relative spans ("trong vòng hai tuần").
_NUMBER_WORDS = {
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười lăm": 15,
    "hai mươi": 20,
    "ba mươi": 30,
}
_COUNT = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
# Clock times that may sit between the keyword and the date ("trước 17 giờ 00 ngày 15/11").
_TIME = r"(?:\d{1,2}\s*(?:h|giờ|g)\s*(?:\d{2}\s*(?:phút|')?)?,?\s*)?"
_ROMAN_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# Each row: (name, regex). The regex captures the whole phrase as it will be shown.
DEADLINE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "hoàn thành trước ngày 28/02/2022", "trước 15/11/2021", "chậm nhất ngày 20/11/2021",
    # "đến hết ngày 28/02/2022", "trước 17h00 ngày 15/11/2021", "hạn chót: 30/11/2021".
    (
        "by_date",
        re.compile(
            r"(?:(?:hoàn thành|hoàn thiện|thực hiện xong)\s+)?"
            r"(?:trước|chậm nhất(?:\s+là)?(?:\s+vào)?|muộn nhất(?:\s+là)?|không muộn hơn|"
            r"hạn chót(?:\s+là)?\s*:?|thời hạn(?:\s+hoàn thành)?\s*:|"
            r"(?:từ nay\s+)?(?:đến|tới)\s+hết(?:\s+ngày)?|(?:từ nay\s+)?(?:đến|tới)\s+ngày|"
            r"trong ngày)"
            rf"\s*{_TIME}(?:ngày\s+)?{DATE_PATTERN}",
            re.I,
        ),
    ),
    # "trong tháng 11/2021", "trong tháng 3 năm 2022", "hết tháng 12/2021", "cuối tháng 11".
    (
        "month",
        re.compile(
            r"(?:trong|hết|đến hết|cuối|trước cuối)\s+tháng\s+(?P<mo>\d{1,2})"
            r"(?:\s*(?:/|năm)\s*(?P<yr>\d{4}))?(?!\d)",
            re.I,
        ),
    ),
    # "trước tháng 12/2021": the last day of the month before.
    (
        "before_month",
        re.compile(r"trước\s+tháng\s+(?P<mo>\d{1,2})(?:\s*(?:/|năm)\s*(?P<yr>\d{4}))?(?!\d)", re.I),
    ),
    # "trong quý IV/2021", "trong quý I năm 2022".
    (
        "quarter",
        re.compile(
            r"(?:trong|hết|cuối|đến hết)\s+quý\s+(?P<q>IV|I{1,3}|[1-4])"
            r"(?:\s*(?:/|năm)\s*(?P<yr>\d{4}))?",
            re.I,
        ),
    ),
    # "trong năm 2022", "hết năm 2021".
    ("year", re.compile(r"(?:trong|hết|cuối|đến hết)\s+năm\s+(?P<yr>\d{4})", re.I)),
    # "trong vòng 01 tuần", "trong 05 ngày làm việc", "trong thời hạn 03 ngày", "trong 48 giờ".
    (
        "relative",
        re.compile(
            r"trong\s+(?:vòng|thời gian|thời hạn|khoảng)?\s*"
            rf"{_COUNT}\s+(?P<unit>ngày làm việc|ngày|tuần|tháng|giờ)"
            r"(?:\s+(?:kể từ|từ)\s+ngày\s+(?:ký|ban hành)[^,.;]*)?",
            re.I,
        ),
    ),
]


# "cách ly tập trung trong 14 ngày" states how long something lasts, not when it is due.
_DURATION_CONTEXT_RE = re.compile(
    r"(?:cách ly|theo dõi sức khỏe|tự theo dõi|giám sát y tế|điều trị|lưu trú|thời gian|"
    r"tạm dừng|tạm đóng|đóng cửa|phong tỏa|giãn cách|dừng hoạt động)[^,.;]*$",
    re.I,
)


_FROM_EVENT_RE = re.compile(r"\s*(?:kể\s+)?(?:từ|sau)\s+(?:khi|lúc|thời điểm)\b", re.I)


@dataclass(frozen=True)
class Deadline:
    """A deadline found in text: the resolved date (None if unresolvable) and its phrase."""

    date: date | None
    phrase: str
    start: int
    end: int
    kind: str


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _end_of_month(year: int, month: int) -> date | None:
    if not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _date_from_groups(groups: dict[str, str | None], reference: date | None) -> date | None:
    if groups.get("y"):
        return _safe_date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
    if groups.get("y2"):
        return _safe_date(int(groups["y2"]), int(groups["m2"]), int(groups["d2"]))
    if groups.get("d3") and reference:
        # No year: the occurrence on or after the reference date.
        found = _safe_date(reference.year, int(groups["m3"]), int(groups["d3"]))
        if found and found < reference - timedelta(days=31):
            found = _safe_date(reference.year + 1, int(groups["m3"]), int(groups["d3"]))
        return found
    return None


def parse_date(text: str, reference: date | None = None) -> date | None:
    """Parse the first absolute date in text ("19/8/2021", "ngày 21 tháng 02 năm 2022")."""
    for match in DATE_RE.finditer(text):
        found = _date_from_groups(match.groupdict(), reference)
        if found:
            return found
    return None


def find_dates(text: str) -> list[tuple[date, int, int]]:
    """Every complete date (with a year) in text, as (date, start, end)."""
    out = []
    for match in DATE_RE.finditer(text):
        found = _date_from_groups(match.groupdict(), None)
        if found:
            out.append((found, match.start(), match.end()))
    return out


def _count(raw: str) -> int:
    return int(raw) if raw.isdigit() else _NUMBER_WORDS[raw.lower()]


def _add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def _resolve(kind: str, match: re.Match[str], reference: date | None) -> date | None:
    groups = match.groupdict()
    year = int(groups["yr"]) if groups.get("yr") else (reference.year if reference else None)
    if kind == "by_date":
        return _date_from_groups(groups, reference)
    if kind == "month" and year:
        return _end_of_month(year, int(groups["mo"]))
    if kind == "before_month" and year:
        first = _safe_date(year, int(groups["mo"]), 1)
        return first - timedelta(days=1) if first else None
    if kind == "quarter" and year:
        return _end_of_month(year, 3 * _ROMAN_QUARTER[groups["q"].lower()])
    if kind == "year" and year:
        return date(year, 12, 31)
    if kind == "relative" and reference:
        n, unit = _count(groups["n"]), groups["unit"].lower()
        if unit == "ngày làm việc":
            return _add_working_days(reference, n)
        if unit == "tuần":
            return reference + timedelta(weeks=n)
        if unit == "giờ":
            return reference + timedelta(days=-(-n // 24))
        if unit == "tháng":
            month = reference.month - 1 + n
            y, m = reference.year + month // 12, month % 12 + 1
            return _safe_date(y, m, min(reference.day, calendar.monthrange(y, m)[1]))
        return reference + timedelta(days=n)
    return None


def find_deadlines(text: str, reference: date | None = None) -> list[Deadline]:
    """All deadline phrases in text, in reading order, without overlaps.

    reference is the date relative phrases count from (and the year of "15/11"); without it
    those phrases are still returned, with date None, so the UI can ask a person.
    """
    found: list[Deadline] = []
    for kind, pattern in DEADLINE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < d.end and d.start < match.end() for d in found):
                continue
            if kind == "relative" and _DURATION_CONTEXT_RE.search(
                text[max(0, match.start() - 40) : match.start()]
            ):
                continue
            phrase = " ".join(match.group(0).split()).rstrip(" ,:")
            resolved = _resolve(kind, match, reference)
            if kind == "relative" and _FROM_EVENT_RE.match(text, match.end()):
                # "trong vòng 24 giờ kể từ khi tiếp nhận danh sách": counted from an event
                # the document cannot date; a person sets it.
                resolved = None
            found.append(Deadline(resolved, phrase, match.start(), match.end(), kind))
    return sorted(found, key=lambda d: d.start)


def parse_deadline(text: str, reference: date | None = None) -> tuple[date | None, str | None]:
    """The first deadline in text as (date, phrase); (None, None) when there is none."""
    for deadline in find_deadlines(text, reference):
        if deadline.date:
            return deadline.date, deadline.phrase
    return None, None
