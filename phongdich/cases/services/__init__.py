"""Every write on F0 cases. Keyword-only, atomic, audited; side effects after commit.

A package split by sub-domain (one module each); every public name is re-exported here, so
callers keep importing from `phongdich.cases.services`.
"""

from ._common import (
    F0_LABEL,
    HOSPITAL_PLACES,
    LINK_VALID_DAYS,
    PLACE_FACILITY_KINDS,
    thresholds,
)
from .alerts import (
    RESOLVE_OUTCOMES,
    alert_move,
    alert_note_from_ticket,
    alerts_scan_no_contact,
    no_contact_gap,
)
from .care import (
    case_death_record,
    case_release,
    case_transfer,
    death_dossier_advance,
    medicine_bag_record,
    mobile_visit_record,
    release_for,
)
from .checks import (
    CheckOutcome,
    case_by_link,
    case_link_issue,
    check_submit,
    new_submission_key,
)
from .links import case_link_send
from .registration import (
    PersonData,
    case_home_care_override,
    case_register,
    case_self_declare,
    case_verify,
    open_case_for,
)
from .reports import (
    daily_figures,
    daily_report_draft,
    daily_report_publish,
    daily_reports_draft_all,
)
from .results import case_result_apply, lab_result_record
from .transfer_need import (
    case_transfer_override,
    transfer_need_sync,
)

__all__ = [
    "CheckOutcome",
    "case_by_link",
    "F0_LABEL",
    "HOSPITAL_PLACES",
    "LINK_VALID_DAYS",
    "PLACE_FACILITY_KINDS",
    "PersonData",
    "RESOLVE_OUTCOMES",
    "alert_move",
    "alert_note_from_ticket",
    "alerts_scan_no_contact",
    "case_death_record",
    "case_home_care_override",
    "case_link_issue",
    "case_link_send",
    "case_register",
    "case_release",
    "case_self_declare",
    "case_transfer",
    "case_transfer_override",
    "case_verify",
    "check_submit",
    "daily_figures",
    "daily_report_draft",
    "daily_report_publish",
    "daily_reports_draft_all",
    "death_dossier_advance",
    "case_result_apply",
    "lab_result_record",
    "medicine_bag_record",
    "mobile_visit_record",
    "new_submission_key",
    "no_contact_gap",
    "open_case_for",
    "release_for",
    "thresholds",
    "transfer_need_sync",
]
