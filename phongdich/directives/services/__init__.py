"""Every write of the directives app, split by sub-domain; callers import from here."""

from .documents import (  # noqa: F401
    INLINE_MAX_BYTES,
    KINDS,
    MAX_UPLOAD_BYTES,
    document_confirm,
    document_extract,
    document_extract_given_up,
    document_extract_retry,
    document_import,
    document_update,
)
from .drafting import (  # noqa: F401
    sentence_breaks,
    task_delete,
    task_merge,
    task_split,
    task_update,
)
from .follow_up import (  # noqa: F401
    REPORTABLE,
    check_reporter_owns,
    reminder_days,
    reminders_send,
    task_assign_lead,
    task_report,
    task_review,
    task_status_refresh,
)
from .indicators import indicator_confirm, indicator_remove  # noqa: F401
from .units import (  # noqa: F401
    membership_add,
    membership_link_by_organisation,
    official_add,
    proposal_accept,
    proposal_ignore,
    proposal_map,
    unit_alias_add,
    units_seed,
)
