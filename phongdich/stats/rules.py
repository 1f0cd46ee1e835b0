"""Criterion 1 of the epidemic level: new community cases per 100,000 people per week.

Source: Quyết định 4800/QĐ-BYT (12/10/2021) guiding Nghị quyết 128/NQ-CP (11/10/2021):
community cases of the last two weeks divided by population, expressed per week. This is
one criterion only; the full level also weighs vaccine coverage and treatment capacity, so
the UI labels it "tiêu chí 1", never "cấp độ dịch".
"""

from dataclasses import dataclass

SOURCE = "4800/QĐ-BYT, 12/10/2021 (tiêu chí 1)"


@dataclass(frozen=True)
class Band:
    level: int
    lower: float  # inclusive, cases /100k/week
    label: str


CRITERION_1_BANDS = (
    Band(1, 0, "< 20"),
    Band(2, 20, "20 – < 50"),
    Band(3, 50, "50 – < 150"),
    Band(4, 150, "≥ 150"),
)


def weekly_rate(community_cases_14_days: int, population: int | None) -> float | None:
    if not population:
        return None
    return community_cases_14_days / 2 / population * 100_000


def criterion_1_level(rate: float | None) -> int | None:
    if rate is None:
        return None
    level = 1
    for band in CRITERION_1_BANDS:
        if rate >= band.lower:
            level = band.level
    return level
