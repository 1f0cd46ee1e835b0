"""Need to know: which personal fields each role sees, and how it may search for people.

Jurisdiction (accounts.permissions.scope_to_jurisdiction) decides *whose* records a user can
reach; this table decides *how much* of each record they see and *how* they may find one.
A list never needs a full CCCD, so lists always mask it; the table below governs detail
pages and the API. docs/architecture.md ("Need to know") explains each row.
"""

from dataclasses import dataclass

from phongdich.accounts.models import Role
from phongdich.lib.identity import format_phone

FULL = "full"
MASKED = "masked"
HIDDEN = "hidden"
# Search by name, phone or CCCD / only by an exact phone or CCCD the person has shown /
# no search.
BY_NAME = "by_name"
BY_IDENTIFIER = "by_identifier"
NONE = "none"


@dataclass(frozen=True)
class Access:
    search: str
    id_number: str
    phone: str


NO_ACCESS = Access(search=NONE, id_number=HIDDEN, phone=HIDDEN)

NEED_TO_KNOW: dict[str, Access] = {
    # Registers, matches and merges records province-wide: the whole record.
    Role.PROVINCE_ADMIN: Access(BY_NAME, FULL, FULL),
    # Case investigation, lab results, transfers: identify and call people.
    Role.HEALTH_OFFICER: Access(BY_NAME, FULL, FULL),
    # Registers F0/F1 of the commune, checks CCCDs against the registry.
    Role.COMMUNE_HEALTH_WORKER: Access(BY_NAME, FULL, FULL),
    # Calls the F0 they care for every day; never needs the CCCD.
    Role.CARE_TEAM_MEMBER: Access(BY_NAME, MASKED, FULL),
    # Finds the caller by name or phone and calls back; never needs the CCCD.
    Role.HOTLINE_AGENT: Access(BY_NAME, MASKED, FULL),
    # Checks the traveller standing in front of them, who shows a CCCD or gives a phone:
    # an exact lookup, not browsing the province by name.
    Role.CHECKPOINT_OFFICER: Access(BY_IDENTIFIER, MASKED, MASKED),
    # Delivers aid to a requester they call back: an exact lookup by phone or CCCD.
    Role.RELIEF_OFFICER: Access(BY_IDENTIFIER, MASKED, FULL),
    # Reports the unit's figures; names are enough to check a line, identifiers are not needed.
    Role.UNIT_REPORTER: Access(BY_NAME, MASKED, MASKED),
    # Matches each dose to the person by CCCD (the national platform's key) and calls people
    # whose next dose is due: the whole record.
    Role.VACCINATION_OFFICER: Access(BY_NAME, FULL, FULL),
    # Calls each contact to notify them and checks who they are on the phone; finds the
    # people already registered by name when adding contacts; never needs the CCCD.
    Role.TRACER: Access(BY_NAME, MASKED, FULL),
}


def access_for(role: str) -> Access:
    """The role's row; a role missing from the table gets nothing rather than everything."""
    return NEED_TO_KNOW.get(role, NO_ACCESS)


def mask_id_number(value: str | None) -> str:
    """038085001234 → 038••••••234."""
    if not value:
        return ""
    return value[:3] + "•" * (len(value) - 6) + value[-3:]


def mask_phone(normalized: str | None) -> str:
    """+84988111222 → 0•••••••222: enough to tell two numbers apart, not to call."""
    if not normalized:
        return ""
    local = "0" + normalized[3:] if normalized.startswith("+84") else normalized
    return local[:1] + "•" * (len(local) - 4) + local[-3:]


def _shown(level: str, value: str, mask) -> str:
    if level == FULL:
        return value
    if level == MASKED:
        return mask(value)
    return ""


def present(people, user):
    """Give each person the identifiers this user may see: `shown_id_number`, `shown_phone`
    (for pages) and `shown_phone_raw` (for the API). Returns `people`."""
    access = access_for(getattr(user, "role", ""))
    for person in people:
        person.shown_id_number = _shown(access.id_number, person.id_shown or "", mask_id_number)
        person.shown_phone_raw = _shown(access.phone, person.phone, mask_phone)
        person.shown_phone = (
            format_phone(person.phone) if access.phone == FULL else person.shown_phone_raw
        )
    return people


# What the hotline desk sees of a caller's F0 case (/hotline/t/<id>/case/): the state of care
# it needs to answer the caller, never identifiers or the clinical record. The roles that
# may open the record itself (the F0 app's CASE_ROLES) also get its address.
CASE_SUMMARY_FIELDS = frozenset(
    {
        "status_label",
        "severity_label",
        "place_label",
        "facility_name",
        "days_since_onset",
        "open_alerts",
        "open_danger_alerts",
        "transfer_need_label",
        "last_check_at",
    }
)


def case_summary_for_role(summary: dict, *, full_record: bool) -> dict:
    """The summary cut to CASE_SUMMARY_FIELDS (plus the record's address if allowed)."""
    keep = CASE_SUMMARY_FIELDS | ({"url"} if full_record else set())
    return {key: value for key, value in summary.items() if key in keep}
