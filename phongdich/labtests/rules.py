"""Pure rules of sampling and pooling (RULES.md, "Testing")."""

from dataclasses import dataclass

PCR = "pcr"
RAT = "rat"

POSITIVE = "positive"
NEGATIVE = "negative"
INVALID = "invalid"

# RULES.md "Testing": pooled samples (xét nghiệm gộp, Ministry guidance 2020); a pool of up to
# 10 is common practice (unconfirmed), so the size lives in a policy row (PoolSizeRule) and
# this is only the value used when no row exists. Pooling is an RT-PCR technique: a rapid
# antigen test is never pooled.
DEFAULT_POOL_MAX = {PCR: 10}
# Ct values reported by RT-PCR machines run from 0 to 45 cycles.
CT_MAX = 45


def size_rows_on(rows, day) -> dict[str, int]:
    """From (kind, valid_from, max_size) policy rows, the size in force on `day` per kind:
    the row with the latest valid_from on or before it (rows dated later do not count)."""
    best: dict[str, tuple] = {}
    for kind, valid_from, max_size in rows:
        if valid_from <= day and (kind not in best or valid_from > best[kind][0]):
            best[kind] = (valid_from, max_size)
    return {kind: size for kind, (_from, size) in best.items()}


def pool_max(kind: str, rows: dict[str, int] | None = None) -> int:
    """The most samples a pool of `kind` may hold (0: the kind is never pooled)."""
    rows = rows or {}
    if kind in rows:
        return rows[kind]
    return DEFAULT_POOL_MAX.get(kind, 0)


def pool_has_room(kind: str, members: int, rows: dict[str, int] | None = None) -> bool:
    """One more sample fits in a pool already holding `members`."""
    return members + 1 <= pool_max(kind, rows)


@dataclass(frozen=True)
class PoolOutcome:
    """What a pool's result does to its members (RULES.md "Testing": a positive pool means
    re-sampling each member; a negative pool makes each presumptively negative)."""

    members_negative: bool  # each member gets a presumptive negative
    resample_members: bool  # each member gets a re-sampling order
    status: str


def pool_outcome(result: str) -> PoolOutcome:
    if result == NEGATIVE:
        return PoolOutcome(True, False, "negative")
    if result == POSITIVE:
        return PoolOutcome(False, True, "positive_awaiting")
    # An invalid pool tells nothing about anyone: the members are sampled again too.
    return PoolOutcome(False, True, "invalid")


def pool_resolved(member_results: list[str]) -> bool:
    """A positive pool stays "awaiting individual results" until every member has one."""
    return bool(member_results) and all(r in (POSITIVE, NEGATIVE) for r in member_results)


def positivity(positives: int, sampled: int) -> float | None:
    return None if sampled <= 0 else positives / sampled


def round_negative(*, sampled: int, resulted: int, positives: int) -> bool:
    """A closed round is negative in a commune when people were sampled there, every sample
    has its result and none is positive (the zones' lifting rule reads this: a round with
    results still missing proves nothing yet)."""
    return sampled > 0 and resulted >= sampled and positives == 0


def coverage(done: int, target: int) -> float | None:
    return None if target <= 0 else done / target
