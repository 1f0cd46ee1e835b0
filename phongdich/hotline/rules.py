"""Pure hotline rules: triage priority, routing resolution, SLA time, NQ 68 amounts.

No ORM here; callers pass plain values. Each table names where it comes from.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from phongdich.lib.text import fold

P1, P2, P3, P4 = "P1", "P2", "P3", "P4"
PRIORITY_ORDER = (P1, P2, P3, P4)

# Emergency words a caller uses, folded (no diacritics, lower case), with the priority they
# raise a ticket to. P1 phrases are the danger signs of 261/QĐ-BYT (31/01/2022) — shortness
# of breath, cyanosis, altered consciousness, chest pain — and convulsions; "sốt cao" (high
# fever) is a danger sign for children under 528/QĐ-BYT (03/3/2022) and a reason for a call
# back today, so P2. Staff may edit this table; tests pin every row.
EMERGENCY_PHRASES: tuple[tuple[str, str], ...] = (
    ("kho tho", P1),  # khó thở
    ("khong tho duoc", P1),  # không thở được
    ("tho gap", P1),  # thở gấp
    ("tho doc", P1),  # thở dốc
    ("tim tai", P1),  # tím tái
    ("moi tim", P1),  # môi tím
    ("ngat", P1),  # ngất, ngất xỉu
    ("bat tinh", P1),  # bất tỉnh
    ("hon me", P1),  # hôn mê
    ("lo mo", P1),  # lơ mơ
    ("co giat", P1),  # co giật
    ("dau nguc", P1),  # đau ngực
    ("tuc nguc", P1),  # tức ngực
    ("spo2 thap", P1),
    ("ho ra mau", P1),  # ho ra máu
    ("cap cuu", P1),  # cấp cứu
    ("sot cao", P2),  # sốt cao
    ("sot tren 39", P2),
    ("khong an uong duoc", P2),  # trẻ không ăn uống được (528/QĐ-BYT)
)
# How each phrase is written for people: reasons are read by agents and officers, so a
# matched phrase is shown with its diacritics ("thở gấp"), never folded ("tho gap").
PHRASE_LABELS: dict[str, str] = {
    "kho tho": "khó thở",
    "khong tho duoc": "không thở được",
    "tho gap": "thở gấp",
    "tho doc": "thở dốc",
    "tim tai": "tím tái",
    "moi tim": "môi tím",
    "ngat": "ngất",
    "bat tinh": "bất tỉnh",
    "hon me": "hôn mê",
    "lo mo": "lơ mơ",
    "co giat": "co giật",
    "dau nguc": "đau ngực",
    "tuc nguc": "tức ngực",
    "spo2 thap": "SpO2 thấp",
    "ho ra mau": "ho ra máu",
    "cap cuu": "cấp cứu",
    "sot cao": "sốt cao",
    "sot tren 39": "sốt trên 39",
    "khong an uong duoc": "không ăn uống được",
}

# The reasons a ticket stores, in Vietnamese (the record's language); hotline.labels turns a
# stored reason back into the reader's language with these same texts as msgids.
REASON_PHRASE = "%(priority)s: “%(phrase)s”"
REASON_DANGER_ALERTS = "P1: F0 có %(n)d cảnh báo nguy hiểm chưa xử lý"
REASON_ELDERLY = "P2: %(age)d tuổi (≥ %(limit)d)"
REASON_INFANT = "P2: trẻ dưới %(limit)d tuổi"
REASON_PREGNANT = "P2: phụ nữ mang thai"

# A phrase preceded by one of these words is denied, not reported: "không khó thở".
NEGATIONS = ("khong", "ko", "k", "chua", "het", "khong con", "da het", "khong bi")
PREGNANCY_PHRASES = ("mang thai", "co thai", "thai phu", "ba bau", "dang bau", "co bau")

# Age thresholds for priority P2 (the elderly and infants are at high risk of severe COVID-19,
# 261/QĐ-BYT lists age ≥ 65 among risk factors; infants < 1 year by 528/QĐ-BYT).
ELDERLY_AGE = 65
INFANT_AGE = 1


@dataclass(frozen=True)
class Triage:
    priority: str
    reasons: tuple[str, ...]


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", fold(text)).strip() + " "


def _mentions(folded: str, phrase: str) -> bool:
    """True when `phrase` occurs as whole words and is not negated just before."""
    for match in re.finditer(r"(?<= )" + re.escape(phrase) + r"(?= )", folded):
        before = folded[: match.start()].split()
        negated = any(before[-len(neg.split()) :] == neg.split() for neg in NEGATIONS if before)
        if not negated:
            return True
    return False


def emergency_words(text: str) -> list[tuple[str, str]]:
    """(phrase, priority) for each emergency phrase the text mentions."""
    folded = _words(text)
    return [(phrase, prio) for phrase, prio in EMERGENCY_PHRASES if _mentions(folded, phrase)]


def mentions_pregnancy(text: str) -> bool:
    folded = _words(text)
    return any(_mentions(folded, phrase) for phrase in PREGNANCY_PHRASES)


def raise_to(current: str, target: str) -> str:
    """The more urgent of two priorities."""
    return min(current, target, key=PRIORITY_ORDER.index)


def triage(
    text: str,
    *,
    default_priority: str = P3,
    open_danger_alerts: int = 0,
    age: int | None = None,
    pregnant: bool = False,
) -> Triage:
    """Priority for a new ticket and the reasons, most urgent rule first."""
    priority = default_priority
    reasons: list[str] = []
    for phrase, prio in emergency_words(text):
        priority = raise_to(priority, prio)
        reasons.append(
            REASON_PHRASE % {"priority": prio, "phrase": PHRASE_LABELS.get(phrase, phrase)}
        )
    if open_danger_alerts:
        priority = raise_to(priority, P1)
        reasons.append(REASON_DANGER_ALERTS % {"n": open_danger_alerts})
    if age is not None and age >= ELDERLY_AGE:
        priority = raise_to(priority, P2)
        reasons.append(REASON_ELDERLY % {"age": age, "limit": ELDERLY_AGE})
    if age is not None and age < INFANT_AGE:
        priority = raise_to(priority, P2)
        reasons.append(REASON_INFANT % {"limit": INFANT_AGE})
    if pregnant or mentions_pregnancy(text):
        priority = raise_to(priority, P2)
        reasons.append(REASON_PREGNANT)
    return Triage(priority, tuple(reasons))


@dataclass(frozen=True)
class Route:
    category: str | None  # category code, None for "every branch"
    unit_path: str  # the AdminUnit path the rule is attached to ("/38/380/14755/")
    target: int  # ResponsibleUnit id


def resolve_route(routes: list[Route], category: str, commune_path: str | None) -> int | None:
    """The responsible unit for a ticket of `category` from the commune at `commune_path`.

    Among rules whose unit contains the commune, a rule for this very category beats a
    catch-all; within each, the deepest (most specific) unit wins: commune, then district,
    then province. With no commune only province-level rules apply (depth 1 paths).
    """
    best: tuple[int, int] | None = None
    found = None
    for route in routes:
        if route.category not in (category, None):
            continue
        depth = route.unit_path.strip("/").count("/") + 1
        if commune_path is None:
            if depth != 1:
                continue
        elif not commune_path.startswith(route.unit_path):
            continue
        rank = (1 if route.category == category else 0, depth)
        if best is None or rank > best:
            best, found = rank, route.target
    return found


def sla_due(created_at: datetime, minutes: int) -> datetime:
    return created_at + timedelta(minutes=minutes)


def age_from_birth_year(birth_year: int | None, today_year: int) -> int | None:
    if not birth_year:
        return None
    return max(0, today_year - birth_year)


@dataclass(frozen=True)
class SupportAmount:
    amount: int
    days: int | None
    capped: bool


def support_amount(
    *, amount: int, per_day: bool, max_days: int | None, days: int | None
) -> SupportAmount:
    """Amount of one NQ 68/NQ-CP support line: a daily allowance capped at `max_days`
    (F0 45 days, F1 21 days at 80,000 đ/person/day) or a one-off sum (children 1,000,000 đ)."""
    if not per_day:
        return SupportAmount(amount, None, False)
    if not days or days < 1:
        raise ValueError("days must be at least 1 for a daily allowance")
    capped = max_days is not None and days > max_days
    used = min(days, max_days) if max_days is not None else days
    return SupportAmount(amount * used, used, capped)
