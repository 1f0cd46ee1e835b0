"""Signals other apps may listen to (the hotline shows F0 danger alerts to its agents).

`danger_alert_raised` is sent after the transaction that raised the alert commits, with
`sender=Alert`, `alert=<Alert>`, `case=<Case>`.
"""

from django.dispatch import Signal

danger_alert_raised = Signal()

# Sent inside the transaction that moved an alert (acknowledged, resolved, escalated, or
# closed by a transfer), with `sender=Alert`, `alert=<Alert>` (already moved), `by=<User>`
# and `action` ("acknowledge", "resolve", "escalate", "transfer", "close"). A receiver
# that writes does so in the same transaction: the alert and its linked work move together.
alert_handled = Signal()
