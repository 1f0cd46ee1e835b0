"""Pure rules of the follow-up (no ORM): how members' statuses add up to a task's, which
period a recurring task's report covers, the item number as a document writes it, and the
wording that proposes an indicator for a task. Vocabulary lives in the tables below."""

import re
from datetime import date, timedelta

from phongdich.lib.text import fold

# Task.Status values, spelled here so the rules need no models.
OPEN, IN_PROGRESS, REPORTED_DONE, ACCEPTED, RETURNED = (
    "open",
    "in_progress",
    "reported_done",
    "accepted",
    "returned",
)
DONE = (REPORTED_DONE, ACCEPTED)


def task_status_of(members: list[str]) -> str | None:
    """The task's status from its lead members' statuses (None when it has no member: the
    task keeps its own). Done only when every member is; one returned member returns it."""
    if not members:
        return None
    if all(s == ACCEPTED for s in members):
        return ACCEPTED
    if all(s in DONE for s in members):
        return REPORTED_DONE
    if RETURNED in members:
        return RETURNED
    if any(s != OPEN for s in members):
        return IN_PROGRESS
    return OPEN


# --- recurring tasks ------------------------------------------------------------------------

# (folded wording, recurrence). "định kỳ" alone is read as weekly, the usual cadence of the
# committee's reports; the clerk changes it on the review screen when the document says more.
RECURRENCE_RULES = (
    (r"\b(hang|moi) ngay\b", "daily"),
    (r"\b(hang|moi) tuan\b", "weekly"),
    (r"\b(hang|moi) thang\b", "monthly"),
    (r"\bdinh ky (hang |moi )?thang\b", "monthly"),
    (r"\bdinh ky\b", "weekly"),
)


def recurrence_of(text: str) -> str:
    folded = fold(text or "").lower()
    for pattern, recurrence in RECURRENCE_RULES:
        if re.search(pattern, folded):
            return recurrence
    return ""


def period_start(recurrence: str, day: date) -> date | None:
    """The first day of the period containing `day`: the day itself, its week's Monday, or
    the first of its month. None for a task that does not recur."""
    if recurrence == "daily":
        return day
    if recurrence == "weekly":
        return day - timedelta(days=day.weekday())
    if recurrence == "monthly":
        return day.replace(day=1)
    return None


def period_label(recurrence: str, start: date) -> str:
    if recurrence == "daily":
        return start.strftime("%d/%m/%Y")
    if recurrence == "weekly":
        return f"{start:%d/%m}–{start + timedelta(days=6):%d/%m/%Y}"
    if recurrence == "monthly":
        return start.strftime("%m/%Y")
    return ""


# --- item numbers as written ----------------------------------------------------------------

ORDINALS = "Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười"
LABEL = re.compile(
    r"\s*(?P<label>"
    rf"(?:{ORDINALS})(?: mốt| hai| ba| bốn| tư| năm| lăm| sáu| bảy| tám| chín)? là"
    r"|(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])\s?[.)/:-]"
    r"|\(\s?(?:\d+|[a-zđ])\s?\)"
    r"|[-–+•*](?=\s)"
    r")"
)


def label_as_written(text: str, start: int | None, limit: int = 40) -> str:
    """The item number at `start` in the document text, exactly as written ("1.", "2-",
    "a)", "Một là"), or "" when the task does not begin with one."""
    if start is None or not text:
        return ""
    # A task's span may begin after the number: look back to the start of its line.
    line_start = text.rfind("\n", 0, start) + 1
    head = text[line_start : start + limit]
    match = LABEL.match(head)
    if match is None or line_start + match.start("label") > start:
        return ""
    label = match.group("label").strip()
    return "" if label in "-–+•*" else label[:limit]


# --- indicators proposed from wording -------------------------------------------------------

# (indicator kind, folded wording that names it). The first match proposes the link; the
# clerk confirms it, chooses what it is read for, or removes it.
INDICATOR_RULES = (
    ("outreach", r"(chua tiem|khong bo sot|danh sach nguoi chua|ra soat.*tiem)"),
    ("campaign", r"(tiem chung|tiem vac ?xin|mui (1|2|3|nhac|tang cuong)|chien dich tiem)"),
    ("f0_contacted", r"(lien he|goi dien|theo doi).{0,40}\bf0\b|\bf0\b.{0,40}(lien he|goi dien)"),
    ("screening", r"(xet nghiem sang loc|sang loc|xet nghiem dien rong|xet nghiem toan dan)"),
    ("food_gaps", r"(luong thuc|thuc pham|nhu yeu pham|ho thieu|ho kho khan).{0,60}"),
    ("beds", r"(giuong benh|giuong hoi suc|giuong (icu|oxy)|bo tri giuong|tang giuong)"),
)


def indicator_proposed(text: str) -> tuple[str, str] | None:
    """(kind, the words that matched) for the first indicator the wording names."""
    folded = fold(text or "").lower()
    for kind, pattern in INDICATOR_RULES:
        match = re.search(pattern, folded)
        if match:
            return kind, match.group(0)[:120]
    return None


def figure_agrees(*, reported_done: bool, percent: float | None, target: int) -> bool | None:
    """Whether a live figure agrees with the report: None when there is nothing to compare
    (no figure, or the task is not reported done)."""
    if percent is None or not reported_done:
        return None
    return percent >= target
