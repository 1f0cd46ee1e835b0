"""Days of supply and when to raise the alarm: pure functions, no database.

The thresholds are the province's own choice (no Ministry figure): oxygen is warned about
when it will run out within 8 hours and test kits within 3 days unless the province sets
other values (policy table "supply-alerts")."""

from dataclasses import dataclass
from decimal import Decimal

# Consumption is read from the issues of the last 7 days.
RATE_WINDOW_DAYS = 7

DEFAULT_THRESHOLD_HOURS = {
    "liquid_oxygen": 8,
    "oxygen_cylinder": 8,
    "rapid_test": 3 * 24,
    "pcr_reagent": 3 * 24,
}


def rate_per_hour(issued: Decimal, window_hours: int = RATE_WINDOW_DAYS * 24) -> Decimal:
    """Average consumption per hour over the window (issues only: transfers move stock,
    they do not consume it)."""
    return Decimal(issued) / Decimal(window_hours) if issued > 0 else Decimal(0)


def hours_of_supply(balance: Decimal, per_hour: Decimal) -> Decimal | None:
    """How long the stock lasts at the current rate; None when nothing is being used."""
    if per_hour <= 0:
        return None
    return max(Decimal(balance), Decimal(0)) / per_hour


@dataclass(frozen=True)
class Supply:
    balance: Decimal
    per_hour: Decimal
    hours_left: Decimal | None
    threshold_hours: int | None
    alert: bool

    @property
    def per_day(self) -> Decimal:
        return self.per_hour * 24

    @property
    def days_left(self) -> Decimal | None:
        return None if self.hours_left is None else self.hours_left / 24


def supply(balance: Decimal, issued_in_window: Decimal, threshold_hours: int | None) -> Supply:
    """The figures of one item at one place, and whether to alert: the stock lasts no
    longer than the threshold (at the threshold exactly counts), or it is already gone
    while the item has a threshold."""
    per_hour = rate_per_hour(issued_in_window)
    left = hours_of_supply(balance, per_hour)
    alert = threshold_hours is not None and (
        balance <= 0 or (left is not None and left <= threshold_hours)
    )
    return Supply(Decimal(balance), per_hour, left, threshold_hours, alert)
