"""Writes on quarantine records, by sub-domain: opening (the one contract every source
calls), the end of a quarantine and site admission, daily follow-up, and the checkpoints'
hand-overs. Callers import from `phongdich.quarantine.services`."""

from .checkpoint import PAPERS, quarantine_from_handover, quarantine_mark
from .common import SITE_KINDS, active_for
from .ending import (
    quarantine_admit,
    quarantine_change_end,
    quarantine_complete,
    quarantine_convert,
    quarantine_move,
    quarantine_release_early,
)
from .follow_up import (
    CHECK_GRACE_HOURS,
    follow_up_done,
    quarantine_check_record,
    quarantine_link_mint,
    scan_follow_up,
)
from .opening import quarantine_open, quarantine_open_staff, quarantine_plan_preview
from .orders import test_order_sample

__all__ = [
    "CHECK_GRACE_HOURS",
    "PAPERS",
    "SITE_KINDS",
    "active_for",
    "follow_up_done",
    "quarantine_admit",
    "quarantine_change_end",
    "quarantine_check_record",
    "quarantine_complete",
    "quarantine_convert",
    "quarantine_from_handover",
    "quarantine_link_mint",
    "quarantine_mark",
    "quarantine_move",
    "quarantine_open",
    "quarantine_open_staff",
    "quarantine_plan_preview",
    "quarantine_release_early",
    "scan_follow_up",
    "test_order_sample",
]
