"""Pure rules of zones, each with its source.

Lifting a lockdown: local decisions of 2021 (Hà Nội, TP.HCM, Khánh Hòa, seed 004) lifted a
blockade once 14 days had passed without a new case inside it and a screening round after
the last case came back negative. RULES.md has no national text for it, so the numbers are
marked unconfirmed (the page shows the badge) and kept here as named values, never inline.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

LIFT_DAYS_WITHOUT_CASE = 14
LIFT_RULE_SOURCE = "Quyết định của UBND cấp tỉnh (thực tiễn 2021)"
LIFT_RULE_CONFIRMED = False

# A household inside a zone with no delivery for this many days is a gap (seed 004 asks
# for the list; the number is the province's choice, unconfirmed).
FOOD_GAP_DAYS = 3

REASON_NOT_IN_FORCE = _("Vùng không ở trạng thái đang áp dụng.")
REASON_DAYS = _("Chưa đủ %(days)s ngày không có ca mắc mới (còn %(left)s ngày).")
REASON_NO_ROUND = _("Chưa có vòng xét nghiệm sàng lọc âm tính sau ca mắc cuối cùng.")


@dataclass(frozen=True)
class LiftCheck:
    may_lift: bool
    # The first day the 14 days are complete (None when the zone is not in force).
    days_complete_on: date | None
    reasons: list = field(default_factory=list)


def lifting(
    *,
    in_force: bool,
    started_on: date | None,
    last_case_on: date | None,
    last_negative_round_on: date | None,
    today: date,
    days: int = LIFT_DAYS_WITHOUT_CASE,
) -> LiftCheck:
    """Whether a zone may be lifted today. The count starts from the last case inside the
    zone, or from the day it took effect when none was recorded: a zone set up around a
    case is lifted `days` days after it at the earliest (day D + days), and only once a
    screening round strictly after that day was negative."""
    if not in_force or (started_on is None and last_case_on is None):
        return LiftCheck(False, None, [REASON_NOT_IN_FORCE])
    base = max(d for d in (started_on, last_case_on) if d is not None)
    complete_on = base + timedelta(days=days)
    reasons = []
    if today < complete_on:
        reasons.append(REASON_DAYS % {"days": days, "left": (complete_on - today).days})
    if last_negative_round_on is None or last_negative_round_on <= base:
        reasons.append(REASON_NO_ROUND)
    return LiftCheck(not reasons, complete_on, reasons)


DATA = "data"
TYPED = "typed"


@dataclass(frozen=True)
class LiftInputs:
    """The two dates the lifting rule reads and where each came from (DATA, TYPED, or ""
    when there is none)."""

    last_case_on: date | None
    last_case_from: str
    last_negative_round_on: date | None
    round_from: str


def lift_inputs(
    *,
    case_in_data: date | None,
    round_in_data: date | None,
    typed_case: date | None = None,
    typed_round: date | None = None,
    override_reason: str = "",
) -> LiftInputs:
    """The platform's own figures (the last case recorded in the zone's communes, the last
    closed round negative there) unless an officer typed a date with the reason for it; a
    typed date without a reason is never used."""
    override = bool(override_reason.strip())

    def pick(data, typed):
        if override and typed is not None:
            return typed, TYPED
        return data, (DATA if data is not None else "")

    case, case_from = pick(case_in_data, typed_case)
    round_, round_from = pick(round_in_data, typed_round)
    return LiftInputs(case, case_from, round_, round_from)


def food_gap(
    *, last_delivery_on: date | None, since: date, today: date, days: int = FOOD_GAP_DAYS
) -> int | None:
    """Days a household has gone without a delivery when that is `days` or more, else None.
    A household never served counts from `since` (it joined the plan or the zone began)."""
    start = last_delivery_on or since
    waited = (today - start).days
    return waited if waited >= days else None


def outstanding_portions(requests) -> int:
    """Portions still owed over (portions, delivered) pairs; an over-delivery owes nothing
    and never offsets another household's shortfall."""
    return sum(max(portions - delivered, 0) for portions, delivered in requests)


# A household's food link works while its zone is in force, and this many days after the
# zone ends (the last deliveries still get confirmed); the province's choice, unconfirmed.
HOUSEHOLD_LINK_GRACE_DAYS = 3
# The stored expiry of a link minted while the zone has no end date (lockdowns of 2021 ran
# weeks, not seasons); lifting the zone cuts it to the end plus the grace days.
HOUSEHOLD_LINK_DAYS = 90


def household_link_alive(
    *,
    zone_status: str,
    ended_on: date | None,
    today: date,
    grace_days: int = HOUSEHOLD_LINK_GRACE_DAYS,
) -> bool:
    """Whether a household's link still opens its page, judged on the zone (the link's own
    expiry and revocation are checked by lib.tokens): in force, or lifted no more than
    `grace_days` days ago. A proposed or rejected zone has no food plan to show."""
    if zone_status == "in_force":
        return True
    if zone_status == "lifted" and ended_on is not None:
        return today <= ended_on + timedelta(days=grace_days)
    return False


def household_match(*, by_phone: list[int], by_address: list[int]) -> tuple[int | None, str]:
    """The one household a 1022 food call belongs to, from the households of the caller's
    zones whose phone or folded address equals the call's: (household id, "") when exactly
    one household answers, else (None, why): "none" or "several" (the agent's words never
    pick one of two families)."""
    found = set(by_phone) | set(by_address)
    if len(found) == 1:
        return found.pop(), ""
    return None, ("several" if found else "none")
