"""Every write of the hotline: tickets, conversations, routing, escalation, relief, NQ 68.

Public contract for other apps (checkpoints reports undeclared arrivals with it):

    ticket_create(*, by, channel, category, text, person=None, commune=None,
                  caller_phone="", caller_name="", anonymous=False, source_ref="",
                  submission=None) -> Ticket

`by` is the staff user or None for a citizen/system; `category` is a Category or its code
("violation" for reports of violations, including undeclared arrivals); `commune` an
AdminUnit or None. Triage and routing run inside; the ticket is audited. With a
`submission` (lib.idempotency) the same submission twice opens one ticket: the second call
returns the first ticket, with `submission_replayed` set.

A package split by sub-domain (one module each); every public name is re-exported here, so
the contract above and every caller keep importing from `phongdich.hotline.services`.
"""

from .food_link import ticket_food_link
from .messages import (
    INBOUND_THREAD_DAYS,
    message_deliver,
    ticket_citizen_reply,
    ticket_inbound,
)
from .oversight import oversight_refresh, oversight_scopes
from .relief import (
    household_key,
    relief_fulfil,
    relief_repeat_days,
    relief_request_create,
    support_payment_record,
)
from .routing import (
    routing_seed_province,
)
from .tables import desk_tables_changed
from .tickets import (
    CONFLICT_MESSAGE,
    DEFAULT_SLA_MINUTES,
    GATEWAY_CHANNELS,
    LINK_VALID_FOR,
    TicketConflict,
    citizen_url,
    route_for,
    sla_minutes,
    ticket_claim,
    ticket_close,
    ticket_create,
    ticket_escalate_overdue,
    ticket_forward,
    ticket_link_mint,
    ticket_reassign,
    ticket_release,
    ticket_reply,
    ticket_resolve,
    tickets_overdue,
    unit_recipients,
)

__all__ = [
    "ticket_food_link",
    "oversight_refresh",
    "oversight_scopes",
    "CONFLICT_MESSAGE",
    "DEFAULT_SLA_MINUTES",
    "GATEWAY_CHANNELS",
    "INBOUND_THREAD_DAYS",
    "LINK_VALID_FOR",
    "TicketConflict",
    "citizen_url",
    "household_key",
    "message_deliver",
    "relief_fulfil",
    "relief_repeat_days",
    "relief_request_create",
    "route_for",
    "routing_seed_province",
    "desk_tables_changed",
    "sla_minutes",
    "support_payment_record",
    "ticket_citizen_reply",
    "ticket_claim",
    "ticket_close",
    "ticket_create",
    "ticket_escalate_overdue",
    "ticket_forward",
    "ticket_inbound",
    "ticket_link_mint",
    "ticket_reassign",
    "ticket_release",
    "ticket_reply",
    "ticket_resolve",
    "tickets_overdue",
    "unit_recipients",
]
