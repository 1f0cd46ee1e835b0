"""Pure rules of tracing, each with its source."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# A contact is "listed within 24 hours" when its record was made no later than 24 hours
# after the case's record (WHO, "Contact tracing in the context of COVID-19": share of
# contacts reached within 24 h; RULES.md, "Testing" → tracing indicators).
LISTED_WITHIN = timedelta(hours=24)

# A cluster closes after this many days with no new case. RULES.md gives no number for
# clusters: 14 days (one incubation period) and 28 days (two) were both used by provinces;
# this is unconfirmed, so each cluster keeps its own value (default 28) and the page says so.
CLOSE_AFTER_CHOICES = (14, 28)
CLOSE_AFTER_DEFAULT = 28

# Statuses a contact may move to from each status (listed → notified → quarantined →
# tested → released / became F0). A contact can be found positive at any step.
NEXT_STATUSES = {
    "listed": ("notified", "quarantined", "released", "became_case"),
    "notified": ("quarantined", "tested", "released", "became_case"),
    "quarantined": ("tested", "released", "became_case"),
    "tested": ("quarantined", "released", "became_case"),
    "released": (),
    "became_case": (),
}
QUARANTINED_OR_LATER = ("quarantined", "tested", "released", "became_case")

MAX_GENERATION = 2  # the province tracks F1 and F2 (issue 13)


def may_move(current: str, new: str) -> bool:
    return new in NEXT_STATUSES.get(current, ())


def listed_within_24h(case_recorded: datetime, contact_recorded: datetime) -> bool:
    """The boundary is inclusive: exactly 24 h after the case still counts."""
    return contact_recorded - case_recorded <= LISTED_WITHIN


def cluster_should_close(last_case_on: date | None, today: date, close_after_days: int) -> bool:
    """Closed once `close_after_days` full days have passed with no new case: a last case
    on day D and 28 days means the cluster is still active on D+27 and closes on D+28."""
    if last_case_on is None:
        return False
    return (today - last_case_on).days >= close_after_days


def share(part: int, whole: int) -> float | None:
    """A share in [0, 1]; None when there is nothing to divide (shown as "—", not 0 %)."""
    if whole <= 0:
        return None
    return part / whole


@dataclass(frozen=True)
class Shares:
    contacts_per_case: float | None
    listed_24h: float | None
    known_contacts: float | None
    quarantined: float | None


def indicator_shares(
    *,
    new_cases: int,
    contacts_of_new_cases: int,
    contacts_listed_24h: int,
    new_cases_known_contacts: int,
    contacts_listed: int,
    contacts_quarantined: int,
) -> Shares:
    return Shares(
        contacts_per_case=share(contacts_of_new_cases, new_cases),
        listed_24h=share(contacts_listed_24h, contacts_of_new_cases),
        known_contacts=share(new_cases_known_contacts, new_cases),
        quarantined=share(contacts_quarantined, contacts_listed),
    )
